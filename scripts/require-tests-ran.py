#!/usr/bin/env python3
"""Fail unless a pytest JUnit report shows at least one test that ran and none that failed.

pytest already exits non-zero when it collects nothing; this also catches a run in which
every test was skipped or deselected, which would otherwise pass silently.
Usage: require-tests-ran.py REPORT.xml
"""

import sys
import xml.etree.ElementTree as ET


def main(path: str) -> int:
    root = ET.parse(path).getroot()  # noqa: S314 - our own pytest's report
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(suite.get("tests", 0)) for suite in suites)
    skipped = sum(int(suite.get("skipped", 0)) for suite in suites)
    ran = total - skipped
    if ran <= 0:
        print(f"{path}: no test ran ({total} collected, {skipped} skipped)", file=sys.stderr)
        return 1
    print(f"{path}: {ran} tests ran, {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
