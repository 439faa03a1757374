import pytest

from anomagram.spec import Spec, SpecError


def test_defaults_match_anomagram():
    s = Spec()
    assert s.hidden == (7, 3) and s.latent == 2
    assert (s.activation, s.output_activation) == ("relu", "sigmoid")
    assert (s.optimizer, s.learning_rate, s.batch_size, s.epochs) == ("adam", 0.01, 512, 30)
    assert (s.train_size, s.test_size, s.abnormal_pct, s.regularizer) == (2500, 500, 0.0, "none")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"hidden": (0, 3)}, "Hidden layer 1 needs between 1 and 256 units"),
        ({"hidden": (7, 300)}, "Hidden layer 2 needs between 1 and 256 units"),
        ({"hidden": ()}, "between 1 and 6 hidden layers"),
        ({"learning_rate": -0.1}, "learning rate must be a positive"),
        ({"learning_rate": float("nan")}, "learning rate must be a positive"),
        ({"optimizer": "adamw"}, "Unknown optimizer 'adamw'"),
        ({"regularizer": "dropout"}, "Unknown regularizer"),
        ({"latent": 0}, "latent size"),
        ({"epochs": 0}, "Steps"),
        ({"abnormal_pct": 90}, "abnormal share"),
        ({"batch_size": 0}, "batch size"),
        ({"train_size": 5}, "training set"),
        ({"test_size": 1000}, "test set"),
        ({"seed": -1}, "seed"),
    ],
)
def test_invalid_values_have_readable_messages(changes, message):
    with pytest.raises(SpecError, match=message):
        Spec(**changes)


def test_several_problems_are_all_listed():
    with pytest.raises(SpecError) as info:
        Spec(hidden=(0,), optimizer="x", learning_rate=0)
    assert len(info.value.problems) == 3


def test_spec_is_immutable_and_hashable():
    s = Spec()
    with pytest.raises(AttributeError):
        s.latent = 3
    assert hash(s) == hash(Spec(hidden=[7, 3]))
    assert s.replace(latent=3).latent == 3


def test_dict_round_trip():
    s = Spec(hidden=(16, 8, 4), latent=3, optimizer="rmsprop", learning_rate=0.001, seed=7)
    d = s.to_dict()
    assert d["hidden"] == [16, 8, 4]
    assert Spec.from_dict(d) == s


def test_query_params_round_trip_and_only_differences():
    s = Spec(hidden=(16, 8), abnormal_pct=30, optimizer="sgd", learning_rate=0.1)
    q = s.to_query_params()
    assert q == {"hidden": "16,8", "optimizer": "sgd", "learning_rate": "0.1", "abnormal_pct": "30"}
    assert all(isinstance(v, str) for v in q.values())
    assert Spec.from_query_params(q) == s
    assert Spec.from_query_params({}) == Spec()
    assert Spec.from_query_params({"page": "x", "latent": ["2", "4"]}).latent == 4


@pytest.mark.parametrize(
    "params, message",
    [
        ({"hidden": "7,a"}, "whole numbers separated by commas"),
        ({"latent": "two"}, "Latent size must be a whole number"),
        ({"learning_rate": "fast"}, "Learning rate must be a number"),
        ({"epochs": "2.5"}, "whole number"),
    ],
)
def test_bad_query_params_raise_spec_error(params, message):
    with pytest.raises(SpecError, match=message):
        Spec.from_query_params(params)


def test_unknown_keys_in_dict_are_refused():
    with pytest.raises(SpecError, match="Unknown setting"):
        Spec.from_dict({"dropout": 0.5})


def test_architecture_key_ignores_data_and_learning_rate():
    a = Spec()
    assert (
        a.architecture_key == a.replace(seed=3, abnormal_pct=20, learning_rate=0.1).architecture_key
    )
    assert a.architecture_key != a.replace(hidden=(8,)).architecture_key
