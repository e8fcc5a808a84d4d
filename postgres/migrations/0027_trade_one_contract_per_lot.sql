-- Trade (issue 13, new-user check): a lot is invoiced under one contract,
-- one provisional and one final invoice per lot, enforced by the database
-- so that servers racing on one store cannot both bill a lot. The Go step
-- (sqldb.OneInvoicePerLot) first rewrites trade lots to their canonical
-- identifier (docs/identity.md), marks invoices that an older store holds
-- twice for a lot and kind (duplicate_of: the first one issued; these are
-- refused when served), then creates the unique index over the others.
ALTER TABLE trade_invoices ADD COLUMN duplicate_of TEXT;
