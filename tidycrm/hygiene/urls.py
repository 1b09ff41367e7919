"""Web addresses and social profiles in one canonical form: https, lower-case host without
"www.", no trailing slash, no tracking parameters; profile URLs of the common networks reduced
to the profile itself, with the network named."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tidycrm.hygiene.result import Standardised
from tidycrm.hygiene.text import clean

_TRACKING = re.compile(r"^(utm_\w*|fbclid|gclid|mc_cid|mc_eid|igshid|ref_src|si|trk)$", re.I)
# host -> (network, canonical host, how many path segments make the profile)
_NETWORKS = {
    "linkedin.com": ("linkedin", "linkedin.com", 2),  # /in/name, /company/name
    "x.com": ("x", "x.com", 1),
    "twitter.com": ("x", "x.com", 1),
    "facebook.com": ("facebook", "facebook.com", 1),
    "fb.com": ("facebook", "facebook.com", 1),
    "instagram.com": ("instagram", "instagram.com", 1),
    "github.com": ("github", "github.com", 1),
    "youtube.com": ("youtube", "youtube.com", 2),
    "tiktok.com": ("tiktok", "tiktok.com", 1),
    "xing.com": ("xing", "xing.com", 2),
}
_MOBILE_PREFIXES = ("m.", "mobile.", "de.", "uk.", "tr.", "kr.", "th.", "fr.", "es.")


@lru_cache(maxsize=16384)
def standardise_url(raw: str) -> Standardised[str]:
    """value: the canonical URL; extras["network"] for a recognised social profile."""
    text = clean(raw)
    if not text:
        return Standardised(raw=raw, value=None, problems=["is empty."])
    if " " in text or len(text) > 500:
        return Standardised(raw=raw, value=None, problems=["is not a web address (https://…)."])
    if "://" not in text:
        text = "https://" + text.removeprefix("//")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return Standardised(raw=raw, value=None, problems=["is not a web address (https://…)."])
    host = (parts.hostname or "").lower().strip(".")
    if parts.scheme.lower() not in ("http", "https") or "." not in host or parts.username:
        return Standardised(raw=raw, value=None, problems=["is not a web address (https://…)."])
    try:
        host.encode("idna")
    except UnicodeError:
        return Standardised(raw=raw, value=None, problems=["has a host name that is not valid."])
    host = host.removeprefix("www.")
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    network = _network(host)
    if network is not None:
        name, netloc, segments = network
        kept = [s for s in path.split("/") if s][:segments]
        if name == "x" or name == "instagram" or name == "github":
            kept = [s.lower() for s in kept]
        path, query = ("/" + "/".join(kept)) if kept else "", ""
        url = urlunsplit(("https", netloc, path, query, ""))
        return Standardised(raw=raw, value=url, extras={"network": name})
    url = urlunsplit(("https", netloc, path, query, ""))
    return Standardised(raw=raw, value=url)


def _network(host: str) -> tuple[str, str, int] | None:
    if host in _NETWORKS:
        return _NETWORKS[host]
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix) and host[len(prefix) :] in _NETWORKS:
            return _NETWORKS[host[len(prefix) :]]
    return None
