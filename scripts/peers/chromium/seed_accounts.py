"""The `POST /_sandbox/seed` body that creates an access repo's OUs and accounts (as an
account-vending process made them before the repo existed), so that `monban apply` binds
the accounts by root e-mail instead of creating them — CreateAccount's client-side rate of
0.1/s would make applying the 20-account example take minutes.

Usage: seed_accounts.py REPO > seed.json   (stdlib only; reads the few plain YAML lines it
needs: `organization.root_email`, `organization.ous`, each account file's `id:`, `ou:`,
`email:`; an account with an `id:` is the sandbox's management account and is skipped).
"""
import json
import pathlib
import re
import sys

repo = pathlib.Path(sys.argv[1])
settings = (repo / "monban.yaml").read_text()
root_email = re.search(r'^\s*root_email:\s*"?([^"\n]+)"?', settings, re.M).group(1).strip()
ous, in_ous = [], False
for line in settings.splitlines():
    if re.match(r"^\s*ous:\s*$", line):
        in_ous = True
        continue
    if in_ous:
        item = re.match(r"^\s*-\s*(\S+)\s*$", line)
        if item:
            ous.append(item.group(1))
        elif line.strip() and not line.strip().startswith("#"):
            in_ous = False
accounts = []
for path in sorted((repo / "accounts").glob("*.yaml")):
    text = path.read_text()
    if re.search(r"^id:", text, re.M):
        continue
    ou = re.search(r"^ou:\s*(\S+)", text, re.M)
    email = re.search(r"^email:\s*\"?([^\"\s]+)", text, re.M)
    accounts.append({
        "name": path.stem,
        "email": email.group(1) if email else root_email.replace("{account}", path.stem),
        "ou": ou.group(1) if ou else None,
    })
json.dump({"organizational_units": ous, "accounts": accounts}, sys.stdout, indent=1)
