"""The demo's users: one per role, so that whoever runs ``chainsight demo`` can sign in at once.

Created the first time with random passwords and API keys, written to ``<out>/demo-users.txt``
(readable by its owner only) and printed from that file on every later run, since the app database
keeps only hashes. Demo credentials: never use them for real data.

Examples
--------
>>> [r for r, _ in DEMO_USERS]
['admin', 'analyst', 'manager']
"""

from __future__ import annotations

import secrets
from pathlib import Path

from chainsight.api.appdb import AppDB, default_url
from chainsight.api.principal import Role
from chainsight.config import Settings
from chainsight.graph.stores.local import LocalStore

DEMO_USERS: tuple[tuple[Role, str], ...] = (("admin", "demo-admin"), ("analyst", "demo-analyst"),
                                             ("manager", "demo-manager"))


def top_core_branch(db: Path) -> str | None:
    """The branch of the best-ranked core that has one: the demo manager's branch."""
    store = LocalStore(db)
    try:
        cores = store.cores().data
    finally:
        store.close()
    branches = cores.sort_values("rank")["branch"].dropna()
    branches = branches[branches.astype(str).str.len() > 0]
    return str(branches.iloc[0]) if len(branches) else None


def ensure_demo_users(db: Path, out_dir: Path) -> str:
    """Create the demo users and keys once; return the text of ``demo-users.txt`` to print."""
    listing = out_dir / "demo-users.txt"
    settings = Settings(db_path=db)  # the app database `chainsight serve --db` opens
    appdb = AppDB.open(settings.app_db or default_url(db))
    try:
        known = {u.name for u in appdb.list_users()}
        if listing.is_file() and all(name in known for _, name in DEMO_USERS):
            return listing.read_text(encoding="utf-8")
        branch = top_core_branch(db)
        lines = ["demo users (sign-in name / password / API key) — demo credentials only:"]
        for role, name in DEMO_USERS:
            branches = [branch] if role == "manager" and branch else []
            password = secrets.token_urlsafe(12)
            if name in known:  # the listing was lost: the old password cannot be shown again
                appdb.disable_user(name)
                name = f"{name}-{secrets.token_hex(2)}"
            appdb.add_user(name, password, role, branches)
            _, key = appdb.create_key(name, role, branches)
            scope = f" (branch {branch})" if branches else " (every branch)"
            lines.append(f"  {role:<8} {name} / {password} / {key}{scope}")
    finally:
        appdb.close()
    text = "\n".join(lines) + "\n"
    listing.touch(mode=0o600)
    listing.write_text(text, encoding="utf-8")
    return text
