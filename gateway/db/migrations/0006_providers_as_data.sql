-- Providers are data (connectors/contract.ts ProviderDescriptor): the tender methods a till may send
-- are the base ones and those of every registered provider, checked against the registry where an
-- event is normalised. A CHECK list here would need a migration for every new provider.
ALTER TABLE sale_tenders DROP CONSTRAINT IF EXISTS sale_tenders_method_check;
