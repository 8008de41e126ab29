"""The RMS norm rewrite of the ONNX export: one operator in place of seven, the same numbers out,
and a graph that differs from the pattern left as it is."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from chatbot.encoder.onnx_fusion import FUSED_OP, fuse_rms_norms
from tests.conftest import MODELS

WIDTH = 8


def _rms_graph(power: float = 2.0) -> onnx.ModelProto:
    """x -> RMS norm (as the exporter writes it) -> y, then y + x: the input is read twice."""
    rng = np.random.default_rng(0)
    consts = [numpy_helper.from_array(np.array(power, dtype=np.float32), "two"),
              numpy_helper.from_array(np.array([-1], dtype=np.int64), "axes"),
              numpy_helper.from_array(np.array(1e-6, dtype=np.float32), "eps"),
              numpy_helper.from_array((1.0 + rng.normal(size=WIDTH)).astype(np.float32), "scale")]
    nodes = [helper.make_node("Pow", ["x", "two"], ["p"]),
             helper.make_node("ReduceMean", ["p", "axes"], ["m"], keepdims=1),
             helper.make_node("Add", ["m", "eps"], ["a"]),
             helper.make_node("Sqrt", ["a"], ["s"]),
             helper.make_node("Reciprocal", ["s"], ["r"]),
             helper.make_node("Mul", ["x", "r"], ["n"]),
             helper.make_node("Mul", ["n", "scale"], ["y"]),
             helper.make_node("Add", ["y", "x"], ["out"])]
    graph = helper.make_graph(nodes, "rms", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, None, WIDTH])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, [None, None, WIDTH])], consts)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def test_an_rms_norm_becomes_one_operator_with_the_same_output():
    model = _rms_graph()
    x = np.random.default_rng(1).normal(size=(2, 5, WIDTH)).astype(np.float32)
    expected = _run(model, x)
    fused = onnx.ModelProto()
    fused.CopyFrom(model)
    assert fuse_rms_norms(fused) == 1
    assert [n.op_type for n in fused.graph.node] == [FUSED_OP, "Add"]
    assert {i.name for i in fused.graph.initializer} == {"scale"}  # the norm's own constants are gone
    assert np.allclose(_run(fused, x), expected, atol=1e-5)


def test_a_graph_that_differs_from_the_pattern_is_left_alone():
    model = _rms_graph(power=3.0)  # not a mean of squares
    before = [n.op_type for n in model.graph.node]
    assert fuse_rms_norms(model) == 0
    assert [n.op_type for n in model.graph.node] == before


def test_the_shipped_export_has_its_norms_fused():
    """EmbeddingGemma's 24 layers have 6 norms each, plus the last one: 145, none left in seven nodes."""
    model = onnx.load(str(MODELS / "embeddinggemma-300m" / "onnx" / "model_int8.onnx"), load_external_data=False)
    ops = [n.op_type for n in model.graph.node]
    assert ops.count(FUSED_OP) == 145
    assert ops.count("Reciprocal") == 0
