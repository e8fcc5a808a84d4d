-- Trade (issue 13): term sheets, price series and framework agreements as
-- validated JSON; issued invoices; payments; QP declarations. Assays,
-- weights and the invoice events live in the ledger.
CREATE TABLE trade_docs (
	kind     TEXT NOT NULL,
	id       TEXT NOT NULL,
	saved_us BIGINT NOT NULL,
	body     TEXT NOT NULL,
	PRIMARY KEY (kind, id)
);
CREATE TABLE trade_invoices (
	id        TEXT PRIMARY KEY,
	contract  TEXT NOT NULL,
	lot       TEXT NOT NULL,
	kind      TEXT NOT NULL CHECK (kind IN ('provisional', 'final')),
	currency  TEXT NOT NULL,
	total     TEXT NOT NULL,
	issued_us BIGINT NOT NULL,
	due_date  TEXT NOT NULL,
	event_id  TEXT NOT NULL,
	body      TEXT NOT NULL,
	UNIQUE (contract, lot, kind)
);
CREATE INDEX trade_invoices_lot ON trade_invoices (lot);
CREATE TABLE trade_payments (
	id      TEXT PRIMARY KEY,
	invoice TEXT NOT NULL REFERENCES trade_invoices (id),
	amount  TEXT NOT NULL,
	paid_on TEXT NOT NULL
);
CREATE INDEX trade_payments_invoice ON trade_payments (invoice);
CREATE TABLE trade_declarations (
	contract    TEXT NOT NULL,
	lot         TEXT NOT NULL,
	element     TEXT NOT NULL,
	month       INTEGER NOT NULL,
	party       TEXT NOT NULL,
	declared_us BIGINT NOT NULL,
	PRIMARY KEY (contract, lot, element)
);
