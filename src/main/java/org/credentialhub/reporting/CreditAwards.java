package org.credentialhub.reporting;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The reporting load's articulation-credit step (docs/reporting.md, "Articulation credit"), in the load's transaction,
 * after the earned facts: each postsecondary credit award of a matched student is counted toward the earned credential
 * it articulates ({@code rpt.fact_credit_award}), and an award that counts toward none is the district's to look at
 * ({@code credit_not_earned}).
 *
 * <p>An award counts toward the student's latest earning of its credential ({@code rpt.fact_earned}) dated on or
 * before the award, in a school year in which the catalog of that year lists the award's agreement (credential,
 * institution, program) and the agreement holds ({@code first_year} to {@code last_year}); its school year is that
 * earning's. Awards are few: the fact is rebuilt whole on every load that rebuilds a year, so an award never stays
 * counted toward an earning a later one replaced.
 */
final class CreditAwards {

    private CreditAwards() {
    }

    /** Rebuilds {@code rpt.fact_credit_award} and the {@code credit_not_earned} exceptions; returns the facts written. */
    static int load(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate("delete from rpt.fact_credit_award");
            int rows = st.executeUpdate("""
                    insert into rpt.fact_credit_award (school_year, student_key, credential_code, institution, program,
                                                       credit_hours, awarded_on, result_id)
                    select distinct on (r.result_id) e.school_year, p.student_key, r.credential_code, w.institution,
                           w.program, w.credit_hours, r.attempted_on, r.result_id
                    from result r
                    join result_award w using (result_id)
                    join student_pseudonym p using (student_id)
                    -- one join (hashed), not a lookup per award: fact_earned's key leads with the school year, so a
                    -- per-award lookup by student and credential scanned the whole table (170 s at full scale)
                    join rpt.fact_earned e on e.student_key = p.student_key and e.credential_code = r.credential_code
                                          and e.earned_on <= r.attempted_on
                    where r.status = 'active' and r.match_decision = 'match'
                      and exists (select 1 from catalog_articulation a
                                  where a.school_year = e.school_year and a.credential_code = e.credential_code
                                    and a.institution = w.institution and a.program = w.program
                                    and e.school_year between a.first_year and a.last_year)
                    -- the latest earning on or before the award
                    order by r.result_id, e.earned_on desc, e.school_year desc""");
            // an award of a known agreement that counts toward no earned credential: the student's district looks
            // (a credential not yet delivered, a wrong student or date); an unknown agreement is unknown_agreement
            st.executeUpdate("""
                    insert into result_exception (result_id, kind, district_code)
                    select r.result_id, 'credit_not_earned', s.district_code
                    from result r join result_award w using (result_id) join student s using (student_id)
                    where r.status = 'active' and r.match_decision = 'match'
                      and exists (select 1 from catalog_articulation a where a.credential_code = r.credential_code
                                    and a.institution = w.institution and a.program = w.program)
                      and not exists (select 1 from rpt.fact_credit_award f where f.result_id = r.result_id)
                    on conflict (result_id, kind) do update set status = 'open', resolution = null, resolved_at = null,
                        resolved_by = null, updated_at = now()
                    where result_exception.status = 'resolved' and result_exception.resolution = 'auto'""");
            st.executeUpdate("""
                    update result_exception x set status = 'resolved', resolution = 'auto', resolved_at = now(),
                           resolved_by = 'system', updated_at = now()
                    from result r
                    where x.kind = 'credit_not_earned' and x.status <> 'resolved' and r.result_id = x.result_id
                      and (exists (select 1 from rpt.fact_credit_award f where f.result_id = r.result_id)
                           or r.status <> 'active' or r.match_decision is distinct from 'match')""");
            return rows;
        }
    }

    /**
     * SQL of the school years whose articulation figures an award changed since the watermark ({@code since}, a
     * subquery) may move: the years of the student's earnings of the award's credential (the award's own year is
     * rebuilt as every result's is).
     */
    static final String CHANGED_YEARS = """
            select distinct e.school_year from result a join result_award aw using (result_id)
            join student_pseudonym p using (student_id)
            join rpt.fact_earned e on e.student_key = p.student_key and e.credential_code = a.credential_code
            where a.updated_at >= (select since from w)""";
}
