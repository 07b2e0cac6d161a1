"""The NaN guard rolls back everything a rejected step changed.

A step changes the weights, the optimizer's state slots and step count, BatchNorm's
running statistics, a Dropout layer's generator and a stateful layer's carried state.
Each test takes a snapshot after every finite step (a callback), forces the next
step to go non-finite, and checks that the network and optimizer equal the last
snapshot exactly.
"""

import numpy as np
import pytest

from axonal import LSTM, BatchNorm, Dense, Dropout, LayerNorm, Sequential
from axonal.callbacks import Callback
from axonal.optimizers import SGD, Adagrad, Adam, RMSprop, Rprop
from axonal.training import NonFiniteError

OPTIMIZERS = {
    "sgd_momentum": lambda: SGD(0.05, momentum=0.9),
    "nesterov": lambda: SGD(0.05, momentum=0.9, nesterov=True),
    "adam": lambda: Adam(0.01),
    "rmsprop": lambda: RMSprop(0.01),
    "adagrad": lambda: Adagrad(0.05),
    "rprop": lambda: Rprop(0.01),
}
SLOTS = {"sgd_momentum": {"velocity"}, "nesterov": {"velocity"}, "adam": {"m", "v"},
         "rmsprop": {"square_avg"}, "adagrad": {"accumulator"}, "rprop": {"step_size", "prev_grad"}}


def data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 3)).astype(np.float32)
    y = (np.sin(2 * x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype(np.float32)
    return x, y


def bn_net(seed=0):
    return Sequential([Dense(8, "tanh", input_dim=3), BatchNorm(name="bn"), Dense(1)], seed=seed)


class Snapshots(Callback):
    """Keeps the model and optimizer after each finite step."""

    def __init__(self, net, opt, then=None):
        self.net, self.opt, self.then, self.taken = net, opt, then, []

    def on_batch_end(self, step, logs):
        self.taken.append(snapshot(self.net, self.opt))
        if self.then is not None:
            self.then(step)


def snapshot(net, opt):
    return {"weights": net.get_weights(), "opt": opt.state_dict(), "iterations": opt.iterations,
            "attributes": {k: v for k, v in vars(opt).items() if isinstance(v, (int, float, str, tuple))}}


def assert_same(now, then):
    assert now["weights"].keys() == then["weights"].keys()
    for name, value in then["weights"].items():
        np.testing.assert_array_equal(now["weights"][name], value, err_msg=name)
    assert now["iterations"] == then["iterations"]
    assert now["attributes"] == then["attributes"]
    assert now["opt"]["slots"].keys() == then["opt"]["slots"].keys()
    for slot, by_name in then["opt"]["slots"].items():
        for name, value in by_name.items():
            np.testing.assert_array_equal(now["opt"]["slots"][slot][name], value, err_msg=f"{slot}/{name}")


def exploding(opt, at_step):
    """``opt``, whose update at step ``at_step`` runs in full (state, step count) and then
    leaves a weight infinite."""
    update = opt._update

    def _update(p, g, params):
        update(p, g, params)
        if opt.iterations == at_step:
            p[0] = np.inf

    opt._update = _update
    return opt


# -- every optimizer: weights, slots, step count and running statistics ---------------------------
@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_a_rejected_update_rolls_back_weights_optimizer_state_and_running_statistics(key):
    x, y = data()
    net = bn_net()
    opt = exploding(OPTIMIZERS[key](), at_step=5)
    snaps = Snapshots(net, opt)
    with pytest.raises(NonFiniteError, match=r"step 5 \(epoch 2, batch 1\): the update made a weight NaN or "
                                             r"Inf, first in parameter layers\.0\.weight") as info:
        net.fit(x, y, optimizer=opt, epochs=3, batch_size=8, shuffle=False, callbacks=[snaps])
    assert len(snaps.taken) == 4 and opt.iterations == 4
    assert set(snaps.taken[-1]["opt"]["slots"]) == SLOTS[key]
    assert_same(snapshot(net, opt), snaps.taken[-1])
    # The rejected step did move the running statistics and the state before the rollback.
    assert info.value.history.steps == 4 and info.value.history.stop_reason == "non_finite"


@pytest.mark.parametrize("key", ["sgd_momentum", "adam", "rmsprop", "adagrad"])
def test_a_huge_learning_rate_on_the_next_step_is_rolled_back_whole(key):
    x, y = data()
    y = y * 1e3
    net = bn_net()
    opt = OPTIMIZERS[key]()

    def blow_up(step):
        if step == 3:
            opt.learning_rate = 1e39  # beyond float32: the update overflows whatever the gradient

    snaps = Snapshots(net, opt, then=blow_up)
    with pytest.raises(NonFiniteError, match=r"step 4 \(epoch 1, batch 4\)"):
        net.fit(x, y, optimizer=opt, epochs=2, batch_size=8, shuffle=False, callbacks=[snaps])
    assert opt.iterations == 3
    assert_same(snapshot(net, opt), snaps.taken[-1])
    assert all(np.isfinite(v).all() for v in net.get_weights().values())


def test_an_overflowing_loss_rolls_back_the_running_statistics_of_its_forward_pass():
    x, y = data()
    y[8:16] = 1e30  # the second batch: the loss overflows after BatchNorm has seen the batch
    net = bn_net()
    opt = Adam(0.01)
    snaps = Snapshots(net, opt)
    with pytest.raises(NonFiniteError, match=r"step 2 \(epoch 1, batch 2\): the loss is inf"):
        net.fit(x, y, optimizer=opt, epochs=1, batch_size=8, shuffle=False, callbacks=[snaps])
    assert_same(snapshot(net, opt), snaps.taken[-1])


def test_an_infinite_optimizer_state_with_finite_weights_stops_training():
    # A gradient of ~2.4e19 is finite in float32, its square is not: Adam's v becomes
    # Inf while m/√v = 0 leaves the weights finite, and every later step would be 0.
    x, y = data(8)
    y[3] = 1.2e19
    net = Sequential([Dense(4, "tanh", input_dim=3), Dense(1)], seed=0)
    opt = Adam(0.01)
    snaps = Snapshots(net, opt)
    with pytest.raises(NonFiniteError, match=r"step 4 .*the adam optimizer's state NaN or Inf, first in "
                                             r"slot 'v' of parameter layers\.1\.weight"):
        net.fit(x, y, optimizer=opt, epochs=2, batch_size=1, shuffle=False, callbacks=[snaps])
    assert_same(snapshot(net, opt), snaps.taken[-1])
    assert np.isfinite(opt.state_dict()["slots"]["v"]["layers.1.weight"]).all()


# -- BatchNorm's running statistics ---------------------------------------------------------------
def test_an_overflowing_running_variance_stops_training_naming_the_layer():
    # Inputs of 1e30 in float32: the batch variance overflows to Inf, x̂ = 0 and the loss
    # stays finite, so only the running variance shows it (all later predictions constant).
    x, y = data(32)
    x[16:] *= 1e30
    net = Sequential([BatchNorm(name="bn"), Dense(1)], input_dim=3, seed=0)
    opt = SGD(0.05, momentum=0.9)
    snaps = Snapshots(net, opt)
    with pytest.raises(NonFiniteError, match=r"step 3 \(epoch 1, batch 3\): a layer's state became NaN, Inf "
                                             r"or impossible, first in bn\(3\): running_var is inf at feature "
                                             r"0; it must be a finite number >= 0") as info:
        net.fit(x, y, optimizer=opt, epochs=2, batch_size=8, shuffle=False, callbacks=[snaps])
    assert info.value.history.steps == 2
    assert_same(snapshot(net, opt), snaps.taken[-1])
    assert np.isfinite(net.state_arrays()["layers.0.running_var"]).all()


def test_batchnorm_check_state_names_the_statistic_and_feature():
    net = Sequential([BatchNorm(name="norm1")], input_dim=4)
    layer = net.layers[0]
    layer.check_state()  # the initial statistics are possible
    layer.state["running_var"][2] = -0.5
    with pytest.raises(ValueError, match=r"norm1\(4\): running_var is -0\.5 at feature 2; it must be a "
                                         r"finite number >= 0"):
        layer.check_state()
    layer.state["running_var"][2] = 3e38  # huge is still possible
    layer.check_state()
    layer.state["running_mean"][1] = np.nan
    with pytest.raises(ValueError, match=r"norm1\(4\): running_mean is nan at feature 1; it must be finite"):
        layer.check_state()


def test_a_negative_running_variance_written_between_steps_stops_the_next_step():
    x, y = data()
    net = bn_net()
    opt = Adam(0.01)

    def corrupt(step):
        if step == 2:
            net.layers[1].state["running_var"][0] = -1.0

    with pytest.raises(NonFiniteError, match=r"step 3 .*bn\(8\): running_var is -0\.\d+ at feature 0"):
        net.fit(x, y, optimizer=opt, epochs=1, batch_size=8, shuffle=False, callbacks=[Snapshots(net, opt, corrupt)])
    # Rolled back to what the callback left: the step never happened.
    assert net.layers[1].state["running_var"][0] == -1.0 and opt.iterations == 2


@pytest.mark.parametrize("config, message", [
    ({"momentum": 0}, r"BatchNorm: momentum must be in \(0, 1\], got 0\.0"),
    ({"momentum": 1.5}, r"BatchNorm: momentum must be in \(0, 1\], got 1\.5"),
    ({"momentum": float("nan")}, r"BatchNorm: momentum must be a finite number, got nan"),
    ({"momentum": True}, r"BatchNorm: momentum must be a finite number, got True"),
    ({"momentum": "0.1"}, r"BatchNorm: momentum must be a finite number, got '0\.1'"),
    ({"epsilon": 0.0}, r"BatchNorm: epsilon must be > 0, got 0\.0"),
    ({"epsilon": float("inf")}, r"BatchNorm: epsilon must be a finite number, got inf"),
    ({"epsilon": None}, r"BatchNorm: epsilon must be a finite number, got None"),
    ({"epsilon": "x" * 10_000}, r"BatchNorm: epsilon must be a finite number, got 'x{39}$"),
])
def test_batchnorm_refuses_a_bad_config_naming_the_option(config, message):
    with pytest.raises(ValueError, match=message):
        BatchNorm(**config)
    with pytest.raises(ValueError, match=message):
        BatchNorm.from_config(config)


def test_layernorm_refuses_a_bad_epsilon():
    with pytest.raises(ValueError, match=r"LayerNorm: epsilon must be > 0, got -1\.0"):
        LayerNorm(epsilon=-1)
    assert BatchNorm(momentum=np.float32(0.5), epsilon=1).get_config() == {"momentum": 0.5, "epsilon": 1.0}


# -- generators and carried state --------------------------------------------------------------------
def test_a_dropout_generator_is_rolled_back_with_the_step():
    x, y = data()
    net = Sequential([Dense(8, "tanh", input_dim=3), Dropout(0.3), Dense(1)], seed=0)
    opt = exploding(SGD(0.05), at_step=3)
    kept = []

    class KeepGenerator(Callback):
        def on_batch_end(self, step, logs):
            kept.append(net.layers[1].rng.bit_generator.state)

    with pytest.raises(NonFiniteError, match=r"step 3 "):
        net.fit(x, y, optimizer=opt, epochs=1, batch_size=8, shuffle=False, callbacks=[KeepGenerator()])
    assert net.layers[1].rng.bit_generator.state == kept[-1]


def test_an_lstm_stack_is_rolled_back_with_its_carried_state():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (16, 5, 2)).astype(np.float32)
    y = x.sum(axis=1)[:, :1]
    net = Sequential([LSTM(4, return_sequences=True, stateful=True), LSTM(3, stateful=True), Dense(1)],
                     input_dim=2, seed=0)
    opt = exploding(Adam(0.01), at_step=3)
    carried = []

    def keep(step):
        carried.append([tuple(s.copy() for s in layer.final_state) for layer in net.layers[:2]])

    snaps = Snapshots(net, opt, then=keep)
    with pytest.raises(NonFiniteError, match=r"step 3 .*first in parameter layers\.0\.kernel"):
        net.fit(x, y, optimizer=opt, epochs=1, batch_size=4, shuffle=False, callbacks=[snaps])
    assert_same(snapshot(net, opt), snaps.taken[-1])
    for layer, states in zip(net.layers[:2], carried[-1]):
        for now, then in zip(layer.final_state, states):
            np.testing.assert_array_equal(now, then)
    # The next call starts from the state carried out of the last finite step.
    first = net.layers[0]
    np.testing.assert_array_equal(first.forward(x[:4]), first.forward(x[:4], initial_state=carried[-1][0]))


def test_a_callback_resetting_the_optimizer_is_followed():
    x, y = data()
    net = Sequential([Dense(4, "tanh", input_dim=3), Dense(1)], seed=0)
    opt = exploding(Adam(0.01), at_step=2)

    def reset(step):
        if step == 1:
            opt.reset()  # fresh state: step 2 is the first of a new run, and step 3 its second

    snaps = Snapshots(net, opt, then=reset)
    with pytest.raises(NonFiniteError, match=r"step 3 "):
        net.fit(x, y, optimizer=opt, epochs=1, batch_size=4, shuffle=False, callbacks=[snaps])
    assert opt.iterations == 1
    assert_same(snapshot(net, opt), snaps.taken[-1])
