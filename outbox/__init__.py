"""The mail outbox: every e-mail is a row, written in the transaction that causes it, and
delivered by a job of the task queue with retries (see ``services`` and ``tasks``)."""
