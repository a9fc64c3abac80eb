"""Operate the personal-data keys (``shared.crypto.keyring``): rotate a shop's data key, re-wrap
the stored keys after KMS rotated its backing key, show what a shop has.

    python -m infra.keys status  --shop shp_demo
    python -m infra.keys rotate  --shop shp_demo      # new values use version n+1; old ones still open
    python -m infra.keys rotate  --global             # the key of staff logins and profiles
    python -m infra.keys rewrap  --all                # every shop's wrapped keys, under KMS's newest backing key

Against AWS: run with the functions' environment (``IDENTITY_TABLE``, ``DATA_KEY_ID``, region and
credentials). Locally: ``--data-dir .data`` starts the local cloud of that folder (ShopDesk must
be stopped: one process owns a data folder) and runs the command against it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _scopes(args: argparse.Namespace) -> list[str]:
    from shared.crypto import GLOBAL
    from shared.identity.tables import ShopRecord
    from shared.keys import shop_of

    if args.all:
        return [GLOBAL] + [shop_of(r.pk) for r in ShopRecord.scan(ShopRecord.sk == "SHOP")]
    return [GLOBAL] if args.global_scope else [args.shop]


def run(args: argparse.Namespace) -> int:
    from shared.crypto import keyring

    for scope in _scopes(args):
        if args.command == "rotate":
            print(f"{scope}: now sealing with key version {keyring.rotate(scope)}")
        elif args.command == "rewrap":
            print(f"{scope}: {keyring.rewrap(scope)} wrapped keys re-encrypted")
        else:
            versions = keyring.versions(scope)
            print(f"{scope}: key versions {versions or 'none'} (new values use {max(versions) if versions else '-'})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["status", "rotate", "rewrap"])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--shop", help="a shop id")
    which.add_argument("--global", dest="global_scope", action="store_true", help="the global scope (logins)")
    which.add_argument("--all", action="store_true", help="every shop and the global scope")
    parser.add_argument("--data-dir", type=Path, help="a local data folder (ShopDesk stopped)")
    args = parser.parse_args(argv)
    if args.data_dir is None:
        return run(args)
    from infra.system import LocalSystem, SystemConfig

    system = LocalSystem(SystemConfig(data_dir=args.data_dir.resolve(), port=0, seed=False))
    system.start()
    try:
        return run(args)
    finally:
        system.stop()


if __name__ == "__main__":
    sys.exit(main())
