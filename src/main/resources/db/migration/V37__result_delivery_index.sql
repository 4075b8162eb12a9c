-- Every delivery's steps (match, exception queue, acknowledgement) find its results by delivery_id: without an
-- index each step read the whole result table, so a state's hundreds of files cost time that grew with the table.
create index result_delivery on result (delivery_id);
