-- Exact report views for BI tools (authorized users), one row per school year and key; the
-- suppressed public forms are the tables in rpt_public. Columns are documented in README.md.

create view rpt.attainment_by_district as
with p as (select school_year, district_code, count(*) as potential from rpt.fact_potential group by 1, 2),
     e as (select school_year, district_code, count(*) as earned from rpt.fact_course_earned group by 1, 2)
select school_year, district_code, coalesce(d.name, district_code) as district, d.region,
       coalesce(e.earned, 0) as earned, coalesce(p.potential, 0) as potential,
       round(100.0 * coalesce(e.earned, 0) / nullif(p.potential, 0), 1) as attainment_rate
from p full join e using (school_year, district_code) left join rpt.dim_district d using (district_code);

create view rpt.attainment_by_course_credential as
with p as (select school_year, course_code, credential_code, count(*) as potential from rpt.fact_potential group by 1, 2, 3),
     e as (select school_year, course_code, credential_code, count(*) as earned from rpt.fact_course_earned group by 1, 2, 3)
select x.school_year, x.course_code, c.course_title, c.program_area, x.credential_code, k.credential_name, k.tier,
       k.high_value, coalesce(e.earned, 0) as earned, coalesce(p.potential, 0) as potential,
       round(100.0 * coalesce(e.earned, 0) / nullif(p.potential, 0), 0) as attainment_rate
from (select school_year, course_code, credential_code from p union select school_year, course_code, credential_code from e) x
left join p using (school_year, course_code, credential_code)
left join e using (school_year, course_code, credential_code)
left join lateral (select course_title, program_area from rpt.dim_course c where c.course_code = x.course_code
                   and c.school_year = x.school_year limit 1) c on true
left join lateral (select credential_name, tier, high_value from rpt.dim_credential k
                   where k.credential_code = x.credential_code and k.school_year = x.school_year limit 1) k on true;

create view rpt.attainment_by_tier as
select school_year, coalesce(tier::text, 'No tier') as tier, sum(earned) as earned, sum(potential) as potential,
       round(100.0 * sum(earned) / nullif(sum(potential), 0), 1) as attainment_rate
from rpt.attainment_by_course_credential group by 1, 2;

create view rpt.attainment_by_region as
select school_year, coalesce(region, 'Unassigned') as region, sum(earned) as earned, sum(potential) as potential,
       round(100.0 * sum(earned) / nullif(sum(potential), 0), 1) as attainment_rate
from rpt.attainment_by_district group by 1, 2;

create view rpt.attempts_vs_earned as
select a.school_year, a.credential_code, k.credential_name, coalesce(k.high_value, false) as high_value,
       count(*) as attempts, count(*) filter (where a.passed) as passed_attempts,
       count(distinct a.student_key) as students_attempting,
       (select count(*) from rpt.fact_earned e where e.school_year = a.school_year and e.credential_code = a.credential_code) as earned
from rpt.fact_attempt a
left join lateral (select credential_name, high_value from rpt.dim_credential k where k.credential_code = a.credential_code
                   and k.school_year = a.school_year limit 1) k on true
group by a.school_year, a.credential_code, k.credential_name, k.high_value;

create view rpt.data_source_by_credential as
select e.school_year, e.credential_code, k.credential_name, k.delivered_by, coalesce(k.high_value, false) as high_value,
       count(*) filter (where e.source = 'vendor') as earned_from_vendor_feeds,
       count(*) filter (where e.source = 'district') as earned_from_district_entry, count(*) as earned
from rpt.fact_earned e
left join lateral (select credential_name, delivered_by, high_value from rpt.dim_credential k
                   where k.credential_code = e.credential_code and k.school_year = e.school_year limit 1) k on true
group by 1, 2, 3, 4, 5;

create view rpt.career_readiness_trend as
select school_year, sum(earned) as earned, sum(potential) as potential,
       round(100.0 * sum(earned) / nullif(sum(potential), 0), 1) as attainment_rate,
       (select count(distinct student_key) from rpt.fact_course_earned f where f.school_year = d.school_year) as students_earning
from rpt.attainment_by_district d group by school_year;
