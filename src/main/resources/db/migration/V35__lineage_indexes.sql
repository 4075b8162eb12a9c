-- Finding a result by its lineage (feed, file, row), as district decision files and traces name it.
create index result_lineage_delivery_row on result_lineage (delivery_id, source_row);
create index delivery_source on delivery (feed_code, source_name);
