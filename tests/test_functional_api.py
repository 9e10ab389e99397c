"""Core of the Functional API page: twin builders, generated code, the layer graph, weight copy."""

import re
from collections import Counter

import keras
import numpy as np
import pytest

from core.functional_api import graph, model, two_digits, view
from core.functional_api.model import CHAPTER, LayerSpec, NetworkSpec

SPECS = [
    CHAPTER,
    NetworkSpec((LayerSpec(64, "tanh"), LayerSpec(8, "elu"), LayerSpec(16, "sigmoid"))),
    NetworkSpec((LayerSpec(4, "gelu"), LayerSpec(128, "relu")), separate_activations=False),
]


def dot_nodes_and_edges(dot: str) -> tuple[list[str], Counter]:
    nodes = re.findall(r'^\s*"([^"]+)" \[label=', dot, flags=re.M)
    edges = Counter(re.findall(r'^\s*"([^"]+)" -> "([^"]+)";', dot, flags=re.M))
    return nodes, edges


def config_edges(model: keras.Model) -> Counter:
    """The edges as Keras serializes them (get_config's inbound_nodes): an independent source."""
    def sources(value):
        if isinstance(value, dict):
            if "keras_history" in value.get("config", {}):
                yield value["config"]["keras_history"][0]
            else:
                for v in value.values():
                    yield from sources(v)
        elif isinstance(value, list | tuple):
            for v in value:
                yield from sources(v)

    return Counter((source, layer["name"]) for layer in model.get_config()["layers"]
                   for node in layer["inbound_nodes"] for source in sources(node))


def architecture(model: keras.Model) -> list[tuple]:
    """What the model computes, without the layer names."""
    table = graph.summary(model)
    return list(table[["type", "setting", "output shape", "params"]].itertuples(index=False))


def test_chapter_models_have_the_books_25450_parameters():
    twins = model.build(CHAPTER)
    assert twins.sequential.count_params() == twins.functional.count_params() == 25_450
    assert model.parameter_count(CHAPTER) == (784 + 1) * 32 + (32 + 1) * 10 == 25_450
    assert graph.summary(twins.sequential)["params"].sum() == 25_450


@pytest.mark.parametrize("spec", SPECS)
def test_parameter_count_by_hand_matches_keras(spec):
    assert model.parameter_count(spec) == model.sequential_model(spec).count_params()


@pytest.mark.parametrize("spec", SPECS)
def test_generated_code_executes_to_the_same_architecture(spec):
    twins = model.build(spec)
    for code, net in ((twins.sequential_code, twins.sequential),
                      (twins.functional_code, twins.functional)):
        namespace: dict = {}
        exec(code, namespace)  # the code text as shown on the page, imports included
        built = namespace["model"]
        assert isinstance(built, type(net))
        assert architecture(built) == architecture(net)
        assert built.count_params() == net.count_params()
    assert "input_shape" not in twins.sequential_code  # Keras 3 syntax
    assert "keras.Input(shape=(784,))" in twins.functional_code


def test_sequential_and_functional_twins_draw_the_same_graph():
    twins = model.build(SPECS[1])
    assert graph.summary(twins.sequential).equals(graph.summary(twins.functional))
    body = [graph.to_dot(m).split("\n", 1)[1] for m in (twins.sequential, twins.functional)]
    assert body[0] == body[1]  # only the graph's name differs


@pytest.mark.parametrize("spec", SPECS)
def test_dot_has_one_node_per_layer_and_the_chain_edges(spec):
    net = model.functional_model(spec)
    nodes, edges = dot_nodes_and_edges(graph.to_dot(net))
    names = [layer.name for layer in net.layers]  # a functional model lists its InputLayer
    assert sorted(nodes) == sorted(names) and len(nodes) == len(set(nodes))
    assert edges == config_edges(net)
    assert sum(edges.values()) == len(names) - 1  # a chain


def test_two_digit_graph_has_the_shared_encoder_and_two_heads():
    model = two_digits.two_digit_model()
    nodes, edges = dot_nodes_and_edges(graph.to_dot(model))
    assert sorted(nodes) == sorted(layer.name for layer in model.layers)
    assert edges == config_edges(model)
    assert edges[("shared_encoder", "merged")] == 2  # one layer, called on both digits
    assert {t for s, t in edges if s == "hidden"} == {"same_digit", "digit_sum"}
    row = graph.summary(model).set_index("layer").loc["shared_encoder"]
    assert "called 2×" in row["setting"]
    assert row["connected to"] == "left_digit, right_digit"
    assert row["params"] == (784 + 1) * 32  # counted once although called twice
    assert graph.summary(model)["params"].sum() == model.count_params()


def test_two_digit_code_builds_the_same_model_and_answers_per_head():
    namespace: dict = {}
    exec(two_digits.code(), namespace)
    model = namespace["model"]
    reference = two_digits.two_digit_model()
    assert graph.summary(model).equals(graph.summary(reference))
    assert two_digits.answer_shapes(model, pairs=3) == {"same_digit": (3, 1),
                                                        "digit_sum": (3, 19)}


def test_summary_rows_follow_the_graph():
    table = graph.summary(model.sequential_model(CHAPTER))
    assert list(table.columns) == ["layer", "type", "setting", "output shape", "params",
                                   "connected to"]
    assert list(table["type"]) == ["InputLayer", "Dense", "Activation", "Dense", "Activation"]
    assert list(table["output shape"]) == ["(None, 784)", "(None, 32)", "(None, 32)",
                                           "(None, 10)", "(None, 10)"]
    assert list(table["setting"])[1:] == ["32 units", "sigmoid", "10 units", "softmax"]
    assert list(graph.columns()) == list(table.columns)


@pytest.mark.parametrize("spec", SPECS)
def test_copied_weights_give_identical_outputs(spec):
    sequential, functional = model.sequential_model(spec), model.functional_model(spec)
    x = np.random.default_rng(1).random((8, spec.inputs), dtype=np.float32)
    assert model.max_difference(sequential, functional, x) > 0  # independent random weights
    model.copy_weights(sequential, functional)
    assert model.max_difference(sequential, functional, x) == 0.0
    for a, b in zip(sequential.get_weights(), functional.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_proof_holds_for_the_book_and_fails_for_the_guides_relu_listing():
    same = model.same_network_proof(CHAPTER, CHAPTER)
    assert same.before > 0 and same.after == 0.0
    np.testing.assert_array_equal(same.sequential_output, same.functional_output)
    assert same.sequential_output.sum() == pytest.approx(1.0, abs=1e-5)  # softmax
    guide = model.same_network_proof(model.GUIDE_SEQUENTIAL, CHAPTER)
    assert guide.after > 1e-3  # same weights, different hidden activation


def test_the_chapters_network_is_the_books_code_in_both_editions():
    """Dense(32) → sigmoid → Dense(10) → softmax (ch07/functional_api.py, Japanese edition;
    Chapter07/func-api-seq.py and func-api-func.py, English edition); the guide's has a relu."""
    assert [(h.units, h.activation) for h in CHAPTER.hidden] == [(32, "sigmoid")]
    assert (CHAPTER.outputs, CHAPTER.output_activation) == (10, "softmax")
    assert [(h.units, h.activation) for h in model.GUIDE_SEQUENTIAL.hidden] == [(32, "relu")]


def test_keras_3_still_takes_input_shape_on_a_layer_with_a_warning():
    params, warning = model.input_shape_warning()
    assert params == model.parameter_count(model.GUIDE_SEQUENTIAL) == 25_450
    assert warning is not None and "Input(shape)" in warning


def test_copy_refuses_models_that_do_not_match():
    small = model.functional_model(NetworkSpec((LayerSpec(16, "relu"),)))
    with pytest.raises(ValueError, match="does not match"):
        model.copy_weights(model.sequential_model(CHAPTER), small)
    with pytest.raises(ValueError, match="weighted layers"):
        model.copy_weights(model.sequential_model(SPECS[1]), small)


def test_dot_quotes_awkward_names():
    inputs = keras.Input(shape=(3,), name='in "quoted"')
    model = keras.Model(inputs, keras.layers.Dense(2, name="out\\put")(inputs), name="odd")
    dot = graph.to_dot(model)
    assert '"in \\"quoted\\"" -> "out\\\\put";' in dot


def test_the_page_view_of_both_styles_agrees_with_keras():
    spec = NetworkSpec((LayerSpec(16, "tanh"), LayerSpec(8, "relu")))
    both = view.styles(spec)
    assert both["Sequential"]["params"] == both["Functional"]["params"]
    assert both["Sequential"]["params"] == model.parameter_count(spec)
    assert both["Sequential"]["summary"].equals(both["Functional"]["summary"])
    assert both["Functional"]["code"].startswith("import keras")
    assert view.parameter_sum(spec) == (
        f"(784 + 1) × 16 + (16 + 1) × 8 + (8 + 1) × 10 = {model.parameter_count(spec):,}")


def test_the_proof_chart_puts_both_models_side_by_side():
    proof = model.same_network_proof(CHAPTER, CHAPTER, samples=2)
    spec = view.outputs_chart(proof).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 20 and {r["model"] for r in rows} == {"Sequential", "Functional"}
    assert spec["encoding"]["xOffset"]["field"] == "model"


def test_two_digit_facts():
    facts = view.two_digit_facts()
    assert facts["encoder_params"] == 784 * 32 + 32  # counted once, though called twice
    assert facts["params"] > facts["encoder_params"]
    assert facts["answers"] == "`same_digit` (4, 1), `digit_sum` (4, 19)"
