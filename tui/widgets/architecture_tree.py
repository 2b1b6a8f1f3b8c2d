"""Architecture of a generated app: components, each with its outgoing and incoming links."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree

from tui.printable import one_line
from tui.services import Architecture


def link_line(source: str, target: str, label: str) -> str:
    return f"{source} -> {target}" + (f" ({label})" if label else "")


class ArchitectureTree(Tree[str]):
    """Root = app; one node per component (kind, description) with its links as leaves. Every label is a
    Text without terminal controls: Tree reads a str label as markup, and the names are the server's."""

    def __init__(self, name: str, architecture: Architecture, **kwargs: object) -> None:
        super().__init__(Text(one_line(name)), **kwargs)  # type: ignore[arg-type]
        self.guide_depth = 3
        self.root.expand()
        names = {c.id: c.name for c in architecture.components}
        if not architecture.components:
            self.root.add_leaf("No architecture was recorded for this app.")
        for component in architecture.components:
            label = Text.assemble((one_line(component.name), "bold"),
                                  f"  [{one_line(component.kind)}]" if component.kind else "")
            node = self.root.add(label, data=component.id, expand=True)
            if component.description:
                node.add_leaf(Text(one_line(component.description), style="italic"))
            for link in architecture.links:
                if link.source == component.id:
                    node.add_leaf(Text(one_line(link_line(names.get(link.source, link.source),
                                                          names.get(link.target, link.target), link.label))))
                elif link.target == component.id:
                    node.add_leaf(Text(one_line("<- " + names.get(link.source, link.source)
                                                + (f" ({link.label})" if link.label else "")), style="dim"))
        self.links = [link_line(names.get(lk.source, lk.source), names.get(lk.target, lk.target), lk.label)
                      for lk in architecture.links]
        self.component_names = [c.name for c in architecture.components]
