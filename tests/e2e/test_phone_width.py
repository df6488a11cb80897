"""Every page of every role fits a 390 px phone (issue 9, A.6).

Generated from the URL map: each GET route a role may reach, with the demo world's ids, is opened in
Chromium 390 px wide; nothing may scroll sideways (``scrollWidth <= innerWidth``: a wide table scrolls
inside its own region), and such a region must be reachable with the keyboard (axe-core's
``scrollable-region-focusable``).
"""

from __future__ import annotations

import pytest

from club.extensions import db
from club.permissions import PUBLIC
from tests.conftest import live_request, session_cookie
from tests.e2e.conftest import AXE
from tests.walk import ROLES, add_staff, allowed, build_url, routes, user_of

pytestmark = pytest.mark.e2e

WIDTH = 390

# Found instances that their domain fixes (issue 9), as (endpoint, role): the lead empties this set once
# every branch is merged. A listed page that fits fails the test, so the set cannot go stale.
KNOWN_BROKEN: set[tuple[str, str | None]] = set()

MEASURE = """() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
  culprits: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(e => !e.closest('.table-responsive, [data-scroll-region]'))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className
      === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))})"""
# A region that scrolls sideways (what axe's rule is about): only then is axe-core loaded, to spare time.
SCROLLS = """() => [...document.querySelectorAll('body *')].some(e => e.scrollWidth > e.clientWidth
  && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))"""
AXE_RULE = ("async () => (await axe.run(document, {runOnly: {type: 'rule', values: ['scrollable-region-focusable']}}))"
            ".violations.map(v => v.nodes.map(n => n.target.join(' ')).join(', '))")


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_every_page_fits_a_phone(browser, live_server, app, demo_world, factories, role):
    add_staff(factories)
    db.session.commit()
    user = user_of(db, role) if role else None
    cookie = session_cookie(app, user)
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": WIDTH, "height": 844})
    context.set_default_timeout(15_000)
    if cookie:
        name, value = cookie.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": live_server}])
    page = context.new_page()
    axe = AXE.read_text(encoding="utf-8")
    failures, known, visited = [], set(), 0
    try:
        for rule, access in routes():
            if "GET" not in rule.methods or not (allowed(access, role) if role else access == PUBLIC):
                continue
            url = build_url(app, rule)
            probe = live_request(live_server + url, cookie=cookie)
            if probe.status != 200 or probe.content_type != "text/html":
                continue  # a download, a redirect, or not this role's to see in the demo world
            page.goto(url)
            page.wait_for_load_state("load")
            visited += 1
            sizes = page.evaluate(MEASURE)
            problems = []
            if sizes["scroll"] > min(sizes["inner"], WIDTH):
                problems.append(f"{sizes['scroll']} px wide ({sizes['culprits']})")
            if page.evaluate(SCROLLS):
                page.evaluate(axe)
                unfocusable = page.evaluate(AXE_RULE)
            else:
                unfocusable = []
            if unfocusable:
                problems.append(f"a scrolling region the keyboard cannot reach: {unfocusable}")
            if (rule.endpoint, role) in KNOWN_BROKEN:
                if problems:
                    known.add(rule.endpoint)
                else:
                    failures.append(f"{url} fits: remove ({rule.endpoint!r}, {role!r}) from KNOWN_BROKEN")
            elif problems:
                failures.append(f"{url} ({rule.endpoint}) as {role or 'anonymous'}: {'; '.join(problems)}")
    finally:
        context.close()
    assert visited > 0
    assert failures == [], "\n".join(failures)
