"""``spdesk account``: add, list, remove, test and choose the default seller account."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import warnings

from pydantic import SecretStr, ValidationError

from companion.accounts import Account, AccountStore, Credentials, keyring_backend_name
from companion.commands.probe import probe_account
from companion.config import Settings
from companion.errors import BadRequest
from companion.http.validation import describe
from companion.marketplaces import Region


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sub-commands of ``spdesk account``."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a seller account (secrets are asked for, never echoed)")
    add.add_argument("name", nargs="?", help="a short name, e.g. 'acme-us'")
    add.add_argument("--region", choices=[r.value for r in Region])
    add.add_argument("--marketplaces", help="comma-separated codes, e.g. US,CA")
    add.add_argument("--client-id", help="the LWA client id of your SP-API app")
    add.add_argument("--seller-id", help="your merchant token (optional)")
    add.add_argument("--endpoint", help=argparse.SUPPRESS)  # a non-Amazon SP-API, e.g. a sandbox
    add.add_argument("--lwa-url", help=argparse.SUPPRESS)
    add.add_argument("--replace", action="store_true", help="replace an account of that name")
    add.add_argument("--default", action="store_true", help="make it the default account")
    sub.add_parser("list", help="list seller accounts")
    remove = sub.add_parser("remove", help="remove an account and its keyring entry")
    remove.add_argument("name")
    test = sub.add_parser("test", help="log in to Amazon and make one cheap call")
    test.add_argument("name", nargs="?", help="account name (default: the default account)")
    default = sub.add_parser("default", help="choose the default account")
    default.add_argument("name")


def _ask(prompt: str, value: str | None) -> str:
    return value if value else input(f"{prompt}: ").strip()


def _ask_secret(prompt: str) -> SecretStr:
    with warnings.catch_warnings():
        # Without a terminal getpass would read stdin, i.e. a pipe or a file: refuse instead.
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            value = getpass.getpass(f"{prompt} (not shown): ").strip()
        except getpass.GetPassWarning:
            raise BadRequest(
                "spdesk asks for secrets only on a terminal, where they are typed "
                "without being shown; never from a pipe, a file or the environment. "
                "Run 'spdesk account add' in a terminal.",
                code="terminal_required",
            ) from None
    if not value:
        raise BadRequest(f"{prompt} is required.", code="missing_secret", params={"what": prompt})
    return SecretStr(value)


def _add(store: AccountStore, args: argparse.Namespace) -> int:
    # Fail before asking for secrets when there is nowhere safe to keep them.
    keyring_backend_name()
    name = _ask("Account name (e.g. acme-us)", args.name)
    region = _ask("Region (NA, EU or FE)", args.region).upper()
    codes = _ask("Marketplaces (comma-separated, e.g. US,CA)", args.marketplaces)
    try:
        account = Account.model_validate(
            {
                "name": name,
                "region": region,
                "seller_id": args.seller_id or None,
                "marketplaces": [c.strip().upper() for c in codes.split(",") if c.strip()],
                "endpoint": args.endpoint,
                "lwa_url": args.lwa_url,
            }
        )
    except ValidationError as exc:
        message, problems = describe(exc, "This account")
        raise BadRequest(
            message, code="invalid_account", params={"problem": problems[0]["problem"]}
        ) from None
    client_id = _ask("LWA client id", args.client_id)
    credentials = Credentials(
        client_id=client_id,
        client_secret=_ask_secret("LWA client secret"),
        refresh_token=_ask_secret("Refresh token"),
    )
    store.add(account, credentials, replace=args.replace)
    if args.default:
        store.set_default(account.name)
    print(
        f"Added '{account.name}' ({account.region}: {', '.join(account.marketplaces)}). "
        "The secrets are in the system keyring."
    )
    print(f"Check it with: spdesk account test {account.name}")
    return 0


def _list(store: AccountStore) -> int:
    accounts = store.list()
    default = store.default_name()
    for account in accounts:
        marks = [
            m
            for m, on in (("default", account.name == default), ("sandbox", account.sandbox))
            if on
        ]
        print(
            f"{account.name:<20} {account.region.value}  {','.join(account.marketplaces):<24}"
            f" {' '.join(marks)}".rstrip()
        )
    if not accounts:
        print("No seller account yet. Add one with 'spdesk account add'.")
    return 0


def _test(store: AccountStore, name: str | None) -> int:
    account = store.resolve(name)
    result = asyncio.run(probe_account(store, account.name))
    print(f"{account.name}: {result.message}")
    return 0 if result.ok else 1


def run(args: argparse.Namespace) -> int:
    """Run ``spdesk account …``."""
    store = AccountStore(Settings.load())
    if args.action == "add":
        return _add(store, args)
    if args.action == "list":
        return _list(store)
    if args.action == "remove":
        store.remove(args.name)
        print(f"Removed '{args.name}' and its credentials from the keyring.")
        return 0
    if args.action == "default":
        store.set_default(args.name)
        print(f"'{args.name}' is now the default account.")
        return 0
    return _test(store, args.name)
