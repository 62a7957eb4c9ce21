import numpy as np

from dataclaw_tailor.tools.robot.episode import RobotEpisode
from dataclaw_tailor.tools.robot.events import episode_anchors, zigzag


def _episode(effector: np.ndarray, gripper: np.ndarray, fps: float = 10.0) -> RobotEpisode:
    n = len(effector)
    return RobotEpisode(format="test", instruction="pick", robot="toy", fps=fps, timestamps=np.arange(n) / fps,
                        state=effector, action=None, gripper=gripper, gripper_source="test", effector=effector)


def test_zigzag_pivots():
    x = np.array([0, 1, 2, 3, 2, 1, 1.5, 0.2, 3, 3])
    assert zigzag(x, 1.0) == [0, 3, 7, 9]  # the dip to 1 then 1.5 reverses by < 1, so it is no pivot


def test_hesitation_regrasp_and_pause(tmp_path):
    # approach, retreat, approach again (hesitation); close, open, close quickly (regrasp); still at the end
    x = np.concatenate([np.linspace(1.0, 0.4, 10), np.linspace(0.4, 0.8, 8), np.linspace(0.8, 0.0, 12),
                        np.zeros(10), np.linspace(0, 0.5, 10), np.full(12, 0.5)])
    eff = np.stack([x, np.zeros_like(x), np.zeros_like(x)], axis=1)
    grip = np.zeros(len(x))
    grip[30:34] = 1.0
    grip[34:37] = 0.0
    grip[37:] = 1.0
    anchors = episode_anchors(_episode(eff, grip), tmp_path, "robot@test")
    kinds = [a.kind for a in anchors]
    assert "hesitation" in kinds and "regrasp" in kinds and "pause" in kinds
    hes = next(a for a in anchors if a.kind == "hesitation")
    assert hes.t[0] < 1.0 < 1.8 <= hes.t[1] + 0.11
    regrasp = next(a for a in anchors if a.kind == "regrasp")
    assert regrasp.t == (3.0, 3.7)
    last_pause = [a for a in anchors if a.kind == "pause"][-1]
    assert last_pause.t[1] == 6.2
