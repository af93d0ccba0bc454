-- Which stored review each quote of an alert came from, so that deleting a buyer's reviews
-- also removes their words from the alert history (and from deliveries not yet sent).
CREATE TABLE alert_quotes (
    alert_id        INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,           -- index in the message's quotes
    review_id       INTEGER NOT NULL,
    PRIMARY KEY (alert_id, position)
);

CREATE INDEX alert_quotes_review ON alert_quotes (review_id);
