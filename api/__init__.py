"""The organisation's API: read-only reporting and measure feeds, with tokens an administrator
creates. Top floor: it reads through the selectors of every app below it and nothing imports
it."""
