-- The distinct (class, vendorResourceId) of the SIS's active classResources whose resource is active.
select distinct cr.class_sourced_id, r.vendor_resource_id from sis_class_resource cr
join sis_resource r on r.sis_source = cr.sis_source and r.sourced_id = cr.resource_sourced_id
where cr.sis_source = ?1 and cr.status = 'active' and r.status = 'active'
  and cr.class_sourced_id is not null and r.vendor_resource_id is not null
