"""A simulated worker that speaks Streamlit's own protocol, with no browser.

The load run (bench/load.py) needs K workers at once on a two-core machine; K Chromium contexts
would take the very cores the measured servers need. This client does what a browser tab does
on the wire, with Streamlit's own protobufs (streamlit.proto), and nothing else:

- it first asks for the app's address over HTTP, as a browser loads the page, keeping the
  cookies it is given (nginx's sticky route cookie `gt_replica`, Streamlit's XSRF cookie) in
  its own jar, one jar per simulated worker, and sends them with the WebSocket;
- it opens `/_stcore/stream` with the subprotocols the browser offers ("streamlit", then the
  XSRF token) and asks for a run with a `rerun_script` BackMsg (a `ClientState`);
- it logs in through the real login form: it finds the username and password boxes (by their
  autocomplete attribute) and the form's submit button in the elements the run drew, and
  sends their values in one `WidgetStates`, the click as a trigger (the app logs in in the
  submit's callback, components/auth/login_form.py);
- it switches pages by page script hash, from the app's `navigation` ForwardMsg, as a click
  on a sidebar link does;
- each run is timed from the send until the server's `script_finished` ForwardMsg for it
  (a run cut short for a rerun — st.switch_page, st.rerun — goes on to the next run). An
  exception or error box drawn, "page not found", or no finish within the timeout is a problem.

What it does not do: run components' JavaScript (the re-login cookie's writer never writes, so
each simulated worker logs in through the form), draw anything, or send a fragment's timed
reruns (the idle watch's `run_every`): a browser would add those small runs on top.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from streamlit.proto.AppPage_pb2 import AppPage
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

LOG_OUT_KEY = "sidebar_log_out"  # the sidebar's "Log out" button (components/ui.py)


class LoginFailed(Exception):
    """The login form was not there, or came back after the login was sent."""


@dataclass
class Run:
    """One script run as the client saw it, from its request to its finish."""

    ms: float = 0.0
    finished: bool = False  # a script_finished that was not cut short for a rerun
    page_script_hash: str = ""
    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)  # by delta path
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.finished and not self.problems

    def widgets(self, kind: str) -> list:
        return [getattr(e, kind) for e in self.elements.values() if e.WhichOneof("type") == kind]

    def texts(self) -> list[str]:
        """The words the run drew: titles, headers, markdown, alerts."""
        found = []
        for element in self.elements.values():
            kind = element.WhichOneof("type")
            if kind in ("heading", "markdown", "alert", "text"):
                found.append(getattr(element, kind).body)
        return found

    def login_form(self) -> tuple[str, str, str] | None:
        """The ids of the username box, the password box and their form's submit button."""
        boxes = {box.autocomplete: box for box in self.widgets("text_input")}
        username, password = boxes.get("username"), boxes.get("current-password")
        if username is None or password is None:
            return None
        submits = [
            b
            for b in self.widgets("button")
            if b.is_form_submitter and b.form_id == username.form_id
        ]
        if not submits:
            return None
        return username.id, password.id, submits[0].id

    def logged_in(self) -> bool:
        return self.login_form() is None and any(
            b.id.endswith(LOG_OUT_KEY) for b in self.widgets("button")
        )


class StreamlitClient:
    """One simulated worker: one cookie jar, one WebSocket, one Streamlit session."""

    def __init__(self, base: str, timeout_s: float = 20.0) -> None:
        self.base = base.rstrip("/")
        self.timeout_s = timeout_s
        self.jar = http.cookiejar.CookieJar()
        self.pages: list[AppPage] = []  # the navigation's pages, as the last run sent them
        self.page_script_hash = ""
        self.last = Run()
        self._socket: ClientConnection | None = None

    # --- connecting ------------------------------------------------------------------------

    def _load_page(self, path: str) -> None:
        """The HTTP request a browser makes first: it is given the route and XSRF cookies."""
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar)
        )
        with opener.open(f"{self.base}/{path.lstrip('/')}", timeout=self.timeout_s) as answer:
            answer.read()

    def _cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    async def connect(self, path: str = "") -> Run:
        """Opens the app at `path` (e.g. "" or "huddle") and waits for its first run."""
        from websockets.asyncio.client import connect
        from websockets.typing import Origin, Subprotocol

        await asyncio.to_thread(self._load_page, path)
        parts = urllib.parse.urlsplit(self.base)
        offered = ["streamlit"]
        xsrf = self.cookie("_streamlit_xsrf")
        if xsrf:
            offered.append(xsrf)
        self._socket = await connect(
            f"ws://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=[Subprotocol(p) for p in offered],
            origin=Origin(f"{parts.scheme}://{parts.netloc}"),
            additional_headers={"Cookie": self._cookie_header()},
            compression=None,
            max_size=None,
            proxy=None,
            open_timeout=self.timeout_s,
        )
        return await self.rerun(page_name=path.strip("/"))

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    # --- runs -------------------------------------------------------------------------------

    async def rerun(
        self,
        *,
        page_script_hash: str = "",
        page_name: str = "",
        widgets: list[WidgetState] | None = None,
    ) -> Run:
        """Asks for a run as the browser does and waits for it to finish (see Run)."""
        if self._socket is None:
            raise RuntimeError("connect() first")
        message = BackMsg(
            rerun_script=ClientState(
                page_script_hash=page_script_hash, page_name=page_name, query_string=""
            )
        )
        message.rerun_script.widget_states.widgets.extend(widgets or [])
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        run = Run()
        try:
            await asyncio.wait_for(self._until_finished(run), self.timeout_s)
        except TimeoutError:
            run.problems.append(f"not finished within {self.timeout_s:.0f} s")
        run.ms = (time.perf_counter() - started) * 1000
        self.last = run
        return run

    async def _until_finished(self, run: Run) -> None:
        assert self._socket is not None
        started = False  # a run of ours has begun (messages before it are an older run's)
        while True:
            frame = await self._socket.recv()
            if not isinstance(frame, bytes):
                continue
            message = ForwardMsg()
            message.ParseFromString(frame)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                started = True
                run.elements.clear()
                run.page_script_hash = message.new_session.page_script_hash
                self.page_script_hash = run.page_script_hash
            elif kind == "navigation":
                self.pages = list(message.navigation.app_pages)
            elif kind == "page_not_found":
                run.problems.append(f"page not found: {message.page_not_found.page_name}")
            elif kind == "delta" and started:
                delta = message.delta
                if delta.WhichOneof("type") == "new_element":
                    element = delta.new_element
                    run.elements[tuple(message.metadata.delta_path)] = element
                    if element.HasField("exception"):
                        run.problems.append(f"exception: {element.exception.type}")
                    elif element.HasField("alert") and element.alert.format == 1:  # ERROR
                        run.problems.append(f"error box: {element.alert.body[:120]}")
            elif kind == "script_finished" and started:
                status = message.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the app asked for another run: wait for that one
                if status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                    continue
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.problems.append("compile error")
                run.finished = True
                return

    # --- what a worker does -----------------------------------------------------------------

    async def log_in(self, username: str, password: str) -> Run:
        """Types into the login form the last run drew and submits it; raises LoginFailed
        unless the run that follows is logged in (no form, the sidebar's "Log out")."""
        form = self.last.login_form()
        if form is None:
            raise LoginFailed("no login form on the page")
        username_id, password_id, submit_id = form
        run = await self.rerun(
            page_script_hash=self.page_script_hash,
            widgets=[
                WidgetState(id=username_id, string_value=username),
                WidgetState(id=password_id, string_value=password),
                WidgetState(id=submit_id, trigger_value=True),
            ],
        )
        if not run.finished or not run.logged_in():
            shown = [t for t in run.texts() if t][:3]
            raise LoginFailed(f"still logged out after the login ({run.problems}; {shown})")
        return run

    def page_paths(self) -> list[str]:
        """The url paths of the pages the sidebar lists (the hidden home page left out)."""
        return [p.url_pathname for p in self.pages if not p.is_hidden]

    def page_hash(self, url_path: str) -> str:
        for page in self.pages:
            if page.url_pathname == url_path:
                return page.page_script_hash
        raise KeyError(f"no page {url_path!r} in the navigation")

    def current_path(self) -> str:
        return next(
            (p.url_pathname for p in self.pages if p.page_script_hash == self.page_script_hash), ""
        )

    async def switch_to(self, url_path: str) -> Run:
        """A click on the page's sidebar link: a run of that page, timed to its finish."""
        return await self.rerun(page_script_hash=self.page_hash(url_path))
