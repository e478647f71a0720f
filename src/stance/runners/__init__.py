"""Where a command's work runs: `runner=local` (this process, the default) or `runner=ray` (a Ray actor pool).

The workflows ask `runner_name(cfg)` and hand over to `ray_classify` (tables of quotes) or `ray_articles` (folders
of articles); Ray is imported only then, so the local runner never needs it installed (`pip install stance[ray]`).
"""

from __future__ import annotations

from typing import Any

RUNNERS = ("local", "ray")


def runner_name(cfg: Any) -> str:
    """`runner.name` of a composed config ('local' when the config has no runner group)."""
    node = cfg.get("runner") if hasattr(cfg, "get") else None
    name = str(node.get("name", "local")) if node is not None else "local"
    if name not in RUNNERS:
        raise ValueError(f"runner.name must be one of {list(RUNNERS)}, got '{name}'")
    return name
