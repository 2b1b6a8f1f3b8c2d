"""Architecture of a generated app: components, each with its outgoing and incoming links."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree

from tui.services import Architecture


def link_line(source: str, target: str, label: str) -> str:
    return f"{source} -> {target}" + (f" ({label})" if label else "")


class ArchitectureTree(Tree[str]):
    """Root = app; one node per component (kind, description) with its links as leaves."""

    def __init__(self, name: str, architecture: Architecture, **kwargs: object) -> None:
        super().__init__(name, **kwargs)  # type: ignore[arg-type]
        self.guide_depth = 3
        self.root.expand()
        names = {c.id: c.name for c in architecture.components}
        if not architecture.components:
            self.root.add_leaf("No architecture was recorded for this app.")
        for component in architecture.components:
            label = Text.assemble((component.name, "bold"), f"  [{component.kind}]" if component.kind else "")
            node = self.root.add(label, data=component.id, expand=True)
            if component.description:
                node.add_leaf(Text(component.description, style="italic"))
            for link in architecture.links:
                if link.source == component.id:
                    node.add_leaf(link_line(names.get(link.source, link.source),
                                            names.get(link.target, link.target), link.label))
                elif link.target == component.id:
                    node.add_leaf(Text("<- " + names.get(link.source, link.source)
                                       + (f" ({link.label})" if link.label else ""), style="dim"))
        self.links = [link_line(names.get(lk.source, lk.source), names.get(lk.target, lk.target), lk.label)
                      for lk in architecture.links]
        self.component_names = [c.name for c in architecture.components]
