"""Robot episodes: LeRobot v2.1/v3.0, RLDS TFRecord and robomimic HDF5 into one canonical episode.

Each layout is a registered input format of kind `robot_episode` (declared in `tools/formats/robot.py`,
which also holds `load_episode`, the loader for any of them).
"""

from .episode import RobotEpisode, split_episode

__all__ = ["RobotEpisode", "split_episode"]
