"""Checks of a drawn chart, for tests and reviews: texts that overlap, labels on nodes."""

from __future__ import annotations

import numpy as np

from .. import style

__all__ = ["label_node_overlaps", "text_overlaps"]


def text_overlaps(fig, *, texts=None) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts of `fig` whose boxes overlap (for tests and checks).

    By default looks at the texts drawn in each axes (data labels, not tick labels).
    """
    with style.figure_style():  # text extents depend on the font, so measure in the style
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        if texts is None:
            texts = [t for ax in fig.axes for t in ax.texts]
        boxes = [
            (t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text().strip()
        ]
    out = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            if ba.overlaps(bb):
                out.append((a, b))
    return out


def label_node_overlaps(fig) -> list[tuple[str, int]]:
    """(label, node index) pairs of the network chart where a label's box meets a node's disc.

    Nodes are the scatter with gid ``"nodes"`` (discs of radius √size / 2 points); labels are
    the axes' texts. For tests and checks.
    """
    with style.figure_style():  # text extents depend on the font, so measure in the style
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = next(a for a in fig.axes if any(c.get_gid() == "nodes" for c in a.collections))
        nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
        centres = ax.transData.transform(nodes.get_offsets())
        radii = np.broadcast_to(np.sqrt(nodes.get_sizes()) / 2 * fig.dpi / 72, (len(centres),))
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text().strip()]
    out = []
    for text, bb in boxes:
        for i, ((cx, cy), r) in enumerate(zip(centres, radii, strict=True)):
            dx = max(bb.x0 - cx, 0, cx - bb.x1)
            dy = max(bb.y0 - cy, 0, cy - bb.y1)
            if dx * dx + dy * dy < r * r:
                out.append((text, i))
    return out
