-- Append-only ledger: the database itself refuses to change or remove an entry.
CREATE FUNCTION "carryover_ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'LedgerEntry is append-only: write a reversal entry instead';
END;
$$;

CREATE TRIGGER "LedgerEntry_no_update" BEFORE UPDATE ON "LedgerEntry"
    FOR EACH ROW EXECUTE FUNCTION "carryover_ledger_append_only"();

CREATE TRIGGER "LedgerEntry_no_delete" BEFORE DELETE ON "LedgerEntry"
    FOR EACH ROW EXECUTE FUNCTION "carryover_ledger_append_only"();
