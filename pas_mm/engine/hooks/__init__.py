from .channels_last_hook import ChannelsLastHook
from .pas_search_hook import PaSSearchHook
from .throughput_hook import ThroughputHook

__all__ = ['ChannelsLastHook', 'PaSSearchHook', 'ThroughputHook']
