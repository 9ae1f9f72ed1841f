#!/usr/bin/env python3
"""Drives `kampung serve` in Debian's Chromium, headless, with Playwright.

    python .ci/browser-serve.py target/release/kampung target/browser/serve.png

Starts the server on a free port (paused), opens the page and checks, in a real
browser: it loads with no console errors; Play advances the step counter; a stage
change is announced; a slider moves the right-hand village and not the left; bad
input gets a clear message; Reset restores the start; a closed and reopened tab
reconnects. Writes a screenshot of the page mid-lesson to the given PNG.
Exit status 0 when every check passes.
"""

import os
import re
import signal
import subprocess
import sys
import time

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT = 30_000  # ms for each wait


def start_server(binary):
    proc = subprocess.Popen(
        [binary, "serve", "--port", "0", "--paused"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m:
            return proc, f"http://127.0.0.1:{m.group(1)}/"
    proc.kill()
    sys.exit(f"browser-serve: the server did not print its address: {proc.stderr.read()}")


def state_sum(page, side):
    return page.evaluate(
        f"Array.from(window.kampung.state[{side}]).reduce((a, b) => (a * 31 + b) % 1000000007, 7)"
    )


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: browser-serve.py KAMPUNG_BINARY OUT.png")
    binary, png = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.dirname(os.path.abspath(png)), exist_ok=True)
    proc, url = start_server(binary)
    failures = []
    passed = 0

    def check(ok, what):
        nonlocal passed
        if ok:
            passed += 1
            print(f"  ok: {what}")
        else:
            failures.append(what)
            print(f"  FAILED: {what}")

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            # The page forbids eval (its CSP); Playwright's waits need it.
            ctx = browser.new_context(viewport={"width": 1600, "height": 900}, bypass_csp=True)
            problems = []

            def watch(page):
                page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))

            page = ctx.new_page()
            watch(page)
            page.goto(url)
            page.wait_for_function(
                "window.kampung && window.kampung.hellos > 0 && window.kampung.frames > 0"
                " && window.kampung.layouts.length > 0",
                timeout=TIMEOUT,
            )
            check(page.inner_text("#step") == "0", "the page loads at step 0")
            start = (state_sum(page, 0), state_sum(page, 1))

            # Play advances the step counter; a stage change is announced.
            page.click("#play")
            page.wait_for_function("Number(document.querySelector('#step').textContent) >= 3", timeout=TIMEOUT)
            check(True, "Play advances the step counter")
            page.wait_for_function(
                "window.kampung.said.some(a => a.kind === 'stage' && a.stage >= 2)", timeout=TIMEOUT
            )
            banner = page.inner_text("#banner-title")
            check(
                "Social investigation" in banner or "Immersion" in banner,
                f"a stage change is announced in the banner ({banner!r})",
            )
            check(page.locator("#stages0 li.now").count() == 1, "the timeline marks the current stage")
            page.click("#pause")
            page.wait_for_function("!document.querySelector('#play').classList.contains('on')")
            time.sleep(0.3)
            step = page.inner_text("#step")
            left, right = state_sum(page, 0), state_sum(page, 1)
            label = page.inner_text("#label1")

            # A slider changes the right-hand village and not the left.
            hellos = page.evaluate("window.kampung.hellos")
            page.locator("#contacts").fill("30")
            page.wait_for_function(f"window.kampung.hellos > {hellos}", timeout=TIMEOUT)
            page.wait_for_function(f"document.querySelector('#step').textContent === '{step}'")
            time.sleep(0.3)
            check(state_sum(page, 0) == left, "after the slider the left-hand village is unchanged")
            check(state_sum(page, 1) != right, "after the slider the right-hand village has changed")
            new_label = page.inner_text("#label1")
            check("30 visits" in new_label and new_label != label, f"the right-hand label says so ({new_label!r})")

            # Bad input gets a clear message on the page.
            page.fill("#seed", "not a seed")
            page.click("#new-village")
            page.wait_for_selector("#error:not([hidden])", timeout=TIMEOUT)
            check("seed" in page.inner_text("#error"), "a bad seed is answered with a message on the page")

            # Reset restores the start.
            page.click("#reset")
            page.wait_for_function(
                "document.querySelector('#step').textContent === '0' && window.kampung.history.length === 1",
                timeout=TIMEOUT,
            )
            check(state_sum(page, 0) == start[0], "Reset restores the left-hand village's start")

            # A closed and reopened tab reconnects.
            page.close()
            page = ctx.new_page()
            watch(page)
            page.goto(url)
            page.wait_for_function(
                "window.kampung.connected && window.kampung.hellos > 0 && window.kampung.frames > 0",
                timeout=TIMEOUT,
            )
            check(
                page.inner_text("#conn").strip() == "● live" and page.inner_text("#step") == "0",
                "a closed and reopened tab reconnects to the same village",
            )
            # The settings moved before are still there for the new tab.
            check(page.input_value("#contacts") == "30", "the reopened tab shows the current settings")

            # A lesson, played a while, for the screenshot.
            hellos = page.evaluate("window.kampung.hellos")
            page.select_option("#lesson", "05-skip-organization")
            page.wait_for_function(f"window.kampung.hellos > {hellos}", timeout=TIMEOUT)
            check("ask the room" in page.inner_text("#lesson-text").lower(), "a lesson shows its questions")
            page.uncheck("#hold")
            page.locator("#speed").fill("7")
            page.click("#play")
            page.wait_for_function("Number(document.querySelector('#step').textContent) >= 140", timeout=60_000)
            page.click("#pause")
            time.sleep(0.5)
            # Point at a household near the top left of the village (so the hover box
            # leaves the numbers in view), found from the layout the page drew.
            x, y = page.evaluate(
                """() => {
                  const L = window.kampung.layouts[0], v = L.view;
                  const r = document.querySelector('#net0').getBoundingClientRect();
                  let best = 0, bd = Infinity;
                  for (let i = 0; i < L.n; i++) {
                    const dx = L.xy[2 * i] / 65535 - 0.35, dy = L.xy[2 * i + 1] / 65535 - 0.3;
                    if (dx * dx + dy * dy < bd) { bd = dx * dx + dy * dy; best = i; }
                  }
                  return [r.left + (v.ox + L.xy[2 * best] / 65535 * v.size) / v.dpr,
                          r.top + (v.oy + L.xy[2 * best + 1] / 65535 * v.size) / v.dpr];
                }"""
            )
            page.mouse.move(x - 3, y - 3)
            page.mouse.move(x, y)
            page.wait_for_selector("#tip:not([hidden])", timeout=TIMEOUT)
            time.sleep(0.5)
            check(page.is_visible("#tip"), "hovering a household shows its state")
            page.screenshot(path=png)
            check(os.path.getsize(png) > 10_000, f"screenshot written to {png}")
            # The same at a projector's 1280 × 720.
            page.set_viewport_size({"width": 1280, "height": 720})
            time.sleep(0.5)
            small = re.sub(r"\.png$", "", png) + "-1280x720.png"
            page.screenshot(path=small)
            check(os.path.getsize(small) > 10_000, f"screenshot at 1280 × 720 written to {small}")
            errors = [e for e in problems]
            check(not errors, f"no console errors ({errors[:3]})")
            browser.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"browser-serve: {passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
