from .algorithms import *  # noqa: F401,F403
from .backbones import *  # noqa: F401,F403
from .gates import *  # noqa: F401,F403
