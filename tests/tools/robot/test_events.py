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


def _line(*legs: tuple[float, float, int]) -> np.ndarray:
    return np.concatenate([np.linspace(a, b, n) for a, b, n in legs])


def test_place_then_close_is_no_regrasp(tmp_path):
    # grasp at 1 s, carry the object 1 m away, open to place it, close the empty gripper 1 s later
    x = _line((0, 0, 10), (0, 1, 15), (1, 1, 25))
    eff = np.stack([x, np.zeros_like(x), np.zeros_like(x)], axis=1)
    grip = np.concatenate([np.zeros(10), np.ones(16), np.zeros(10), np.ones(14)])
    anchors = episode_anchors(_episode(eff, grip), tmp_path, "robot@test")
    assert [a.c.state for a in anchors if a.kind == "gripper"] == ["close", "open", "close"]
    assert not any(a.kind == "regrasp" for a in anchors)


def test_a_hold_that_never_opens_has_no_release(tmp_path):
    # close at 1 s and hold to the end; the measured closure sags a little as the grip settles
    x = _line((0, 1, 10), (1, 1, 5), (1, 3, 45))
    eff = np.stack([x, np.zeros_like(x), np.zeros_like(x)], axis=1)
    grip = np.concatenate([np.zeros(10), np.linspace(0, 1, 3), np.linspace(1, 0.8, 47)])
    anchors = episode_anchors(_episode(eff, grip), tmp_path, "robot@test")
    assert [a.c.state for a in anchors if a.kind == "gripper"] == ["close"]
    assert [a.c.skill for a in anchors if a.kind == "phase"] == ["reach", "grasp", "lift"]


def test_no_phase_is_shorter_than_the_minimum(tmp_path):
    # the arm moves on at once after closing and after opening: grasp and release still last 0.3 s
    x = _line((0, 1, 20), (1, 2, 20), (2, 3, 20))
    eff = np.stack([x, np.zeros_like(x), np.zeros_like(x)], axis=1)
    grip = np.concatenate([np.zeros(20), np.ones(20), np.zeros(20)])
    anchors = episode_anchors(_episode(eff, grip, fps=30.0), tmp_path, "robot@test")
    phases = [a for a in anchors if a.kind == "phase"]
    assert [p.c.skill for p in phases] == ["reach", "grasp", "lift", "release", "retreat"]
    assert min(p.t[1] - p.t[0] for p in phases) >= 0.3 - 1e-9


def test_the_gripper_settling_as_recording_starts_is_no_event(tmp_path):
    x = _line((0, 1, 40))
    eff = np.stack([x, np.zeros_like(x), np.zeros_like(x)], axis=1)
    grip = np.concatenate([np.linspace(0.6, 0, 3), np.zeros(17), np.ones(20)])  # opens to its start state
    anchors = episode_anchors(_episode(eff, grip), tmp_path, "robot@test")
    assert [a.c.state for a in anchors if a.kind == "gripper"] == ["close"]


def test_no_hesitation_without_a_grasp(tmp_path):
    # wiping back and forth: no grasp, so no target to hesitate toward
    x = np.sin(np.linspace(0, 6 * np.pi, 90))
    eff = np.stack([x, np.zeros_like(x), np.zeros_like(x)], axis=1)
    anchors = episode_anchors(_episode(eff, None), tmp_path, "robot@test")
    assert not any(a.kind in ("hesitation", "gripper") for a in anchors)
