"""Known vulnerabilities in the installed dependencies, by pip-audit (PyPI's advisory data):
fails when one has a fixed release to move to, reports the others.

    python scripts/audit_dependencies.py      # what `make test` runs

A vulnerability without a fix cannot be acted on by upgrading; it is printed, not fatal. The
project itself (installed in editable mode) is not on PyPI and is skipped.
"""

import json
import subprocess
import sys
import time


def audit() -> list[dict]:
    command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off", "-f", "json"]
    for attempt in range(3):  # the advisory service is on the network: one blip is not a verdict
        done = subprocess.run(command, capture_output=True, text=True)
        if done.stdout.strip().startswith("{"):
            return json.loads(done.stdout)["dependencies"]
        time.sleep(5 * (attempt + 1))
    sys.exit(f"pip-audit could not check the dependencies:\n{done.stderr.strip()[-2000:]}")


def main() -> int:
    dependencies = audit()
    fixable = []
    for dep in dependencies:
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix released"
            print(f"{dep['name']} {dep['version']}: {vuln['id']} ({fixes})")
            if vuln.get("fix_versions"):
                fixable.append(dep["name"])
    print(f"{len(dependencies)} dependencies audited; {len(set(fixable))} with a known, fixed vulnerability")
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main())
