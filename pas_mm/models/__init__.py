from .algorithms import *  # noqa: F401,F403
from .gates import *  # noqa: F401,F403
