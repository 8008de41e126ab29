"""Rewrite the exported encoder's RMS norms as one ONNX Runtime operator each.

Why: the exporter writes each of EmbeddingGemma's 145 RMS norms as seven element-wise nodes
(``Pow`` -> ``ReduceMean`` -> ``Add`` eps -> ``Sqrt`` -> ``Reciprocal`` -> ``Mul`` by the input ->
``Mul`` by the scale), and ONNX Runtime's own fusion does not recognise the ``Reciprocal`` form, so
a question ran about 1,000 small kernels that each read and wrote the whole activation (22% of a
question's kernel time, BENCHMARKS.md 24a). ``SimplifiedLayerNormalization`` (an ONNX Runtime
operator of the default domain, the one its fusion would have written) computes the same
``x / sqrt(mean(x^2) + eps) * scale`` in one pass.

Only the exact pattern is rewritten: the power is 2, the mean is over the last axis with its
dimension kept, and every intermediate result feeds only the next node. Anything else is left as
it is, so a model exported differently still runs unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

FUSED_OP = "SimplifiedLayerNormalization"


@dataclass(frozen=True)
class _Norm:
    nodes: tuple[Any, ...]  # the seven nodes replaced, in graph order of the pattern
    source: str  # the normalised input
    scale: str  # the scale multiplied last
    output: str
    epsilon: float


class _Graph:
    """Constants and consumers of a graph, for following the pattern node by node."""

    def __init__(self, graph: Any) -> None:
        from onnx import numpy_helper

        self.constants: dict[str, np.ndarray] = {i.name: numpy_helper.to_array(i) for i in graph.initializer
                                                 if int(np.prod(i.dims)) <= 16}
        for node in graph.node:
            if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
                self.constants[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
        self.consumers: dict[str, list[Any]] = {}
        for node in graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)

    def scalar(self, name: str) -> float | None:
        value = self.constants.get(name)
        return float(value.reshape(-1)[0]) if value is not None and value.size == 1 else None

    def only_next(self, node: Any, op_type: str) -> Any | None:
        """The one node that reads ``node``'s output, when it is an ``op_type``."""
        found = self.consumers.get(node.output[0], [])
        return found[0] if len(found) == 1 and found[0].op_type == op_type else None


def _norm_at(graph: _Graph, power: Any) -> _Norm | None:
    """The RMS norm starting at this ``Pow`` node, or None when the nodes differ from the pattern."""
    if graph.scalar(power.input[1]) != 2.0:
        return None
    mean = graph.only_next(power, "ReduceMean")
    if mean is None or len(mean.input) < 2:
        return None
    axes = graph.constants.get(mean.input[1])
    keepdims = {a.name: a.i for a in mean.attribute}.get("keepdims", 1)
    if axes is None or axes.reshape(-1).tolist() != [-1] or keepdims != 1:
        return None
    add = graph.only_next(mean, "Add")
    epsilon = graph.scalar(add.input[1]) if add is not None else None
    sqrt = graph.only_next(add, "Sqrt") if add is not None else None
    inverse = graph.only_next(sqrt, "Reciprocal") if sqrt is not None else None
    scaled = graph.only_next(inverse, "Mul") if inverse is not None else None
    if epsilon is None or scaled is None or power.input[0] not in scaled.input:
        return None
    out = graph.only_next(scaled, "Mul")
    if out is None:
        return None
    scale = [name for name in out.input if name != scaled.output[0]]
    if len(scale) != 1:
        return None
    return _Norm((power, mean, add, sqrt, inverse, scaled, out), power.input[0], scale[0], out.output[0], epsilon)


def fuse_rms_norms(model: Any) -> int:
    """Rewrite ``model``'s (an ``onnx.ModelProto``) RMS norms in place; returns how many."""
    from onnx import helper

    graph = _Graph(model.graph)
    norms = [norm for node in model.graph.node if node.op_type == "Pow"
             for norm in [_norm_at(graph, node)] if norm is not None]
    replaced = {id(node) for norm in norms for node in norm.nodes}
    fused = {id(norm.nodes[-1]): helper.make_node(FUSED_OP, [norm.source, norm.scale], [norm.output],
                                                  name=f"rms_norm_{i}", axis=-1, epsilon=norm.epsilon)
             for i, norm in enumerate(norms)}
    kept: Sequence[Any] = [fused.get(id(node), node) for node in model.graph.node
                           if id(node) in fused or id(node) not in replaced]
    del model.graph.node[:]
    model.graph.node.extend(kept)
    used = {name for node in model.graph.node for name in node.input}
    unused = [i for i in model.graph.initializer if i.name not in used]  # the norms' own constants
    for initializer in unused:
        model.graph.initializer.remove(initializer)
    return len(norms)
