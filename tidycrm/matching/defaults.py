"""Untrained m and u per comparison level (index 0, "missing", is unused): a model for a
database too small to train on. Figures are typical of CRM data."""

PRIOR = 0.01

PERSON: dict[str, tuple[list[float], list[float]]] = {
    # exact, similar, nickname, close, initial, different
    "given_name": (
        [1, 0.80, 0.05, 0.05, 0.03, 0.02, 0.05],
        [1, 0.01, 0.002, 0.002, 0.01, 0.02, 0.956],
    ),
    # exact, similar, sounds alike, close, different
    "family_name": ([1, 0.80, 0.06, 0.04, 0.03, 0.07], [1, 0.005, 0.001, 0.003, 0.01, 0.981]),
    # exact, shared inbox, same local part, different
    "email": ([1, 0.60, 0.02, 0.10, 0.28], [1, 1e-6, 1e-4, 5e-4, 0.9994]),
    # exact, same last digits, different
    "phone": ([1, 0.55, 0.05, 0.40], [1, 1e-6, 1e-5, 0.99999]),
    # exact, similar, different
    "company": ([1, 0.70, 0.10, 0.20], [1, 0.01, 0.005, 0.985]),
    # same street, same postal code, same city, different
    "address": ([1, 0.60, 0.15, 0.10, 0.15], [1, 1e-4, 0.01, 0.05, 0.94]),
    # exact, one digit off, two of year, month and day, different
    "birth_date": ([1, 0.88, 0.05, 0.05, 0.02], [1, 0.003, 0.005, 0.02, 0.972]),
}

COMPANY: dict[str, tuple[list[float], list[float]]] = {
    # a canonical name (legal form left out) is rarely shared by two companies
    "name": ([1, 0.80, 0.10, 0.05, 0.05], [1, 1e-4, 0.001, 0.01, 0.9889]),
    "domain": ([1, 0.90, 0.10], [1, 1e-5, 0.99999]),
    "phone": ([1, 0.55, 0.05, 0.40], [1, 1e-6, 1e-5, 0.99999]),
    "address": ([1, 0.60, 0.15, 0.10, 0.15], [1, 1e-4, 0.01, 0.05, 0.94]),
}

# an identifier such as a national ID number: exact, similar, different
IDENTIFIER: tuple[list[float], list[float]] = ([1, 0.90, 0.05, 0.05], [1, 1e-6, 1e-5, 0.99999])
