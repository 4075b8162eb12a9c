package org.credentialhub.support;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one CSV writer: RFC 4180, CRLF, formulas defused alike for the web export, reports and traces. */
class CsvOutTest {
    @Test
    void formulasAreDefused() {
        for (String f : List.of("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "=HYPERLINK(\"http://x\")")) {
            assertEquals("'" + f, CsvOut.defuse(f), f);
        }
    }

    @Test
    void plainNumbersAndTextStay() {
        for (String v : List.of("-12", "1,234", "-2.5%", "12.5%", "", "Alvarez", "O'Neil", "a=b")) {
            assertEquals(v, CsvOut.defuse(v), v);
        }
    }

    @Test
    void quotedOnlyWhereNeededWithCrlf() {
        String out = new CsvOut().row("a", "b,c", "say \"hi\"", 1234, null).row("line\nbreak", "=x").toString();
        assertEquals("a,\"b,c\",\"say \"\"hi\"\"\",1234,\r\n\"line\nbreak\",'=x\r\n", out);
    }

    @Test
    void whatIsWrittenReadsBackAsTheSafeCells() throws Exception {
        List<String> cells = Arrays.asList("x\r\ny", "-=1", "1,000", "", "\"");
        String out = new CsvOut().row(cells).toString();
        try (CSVParser p = CSVFormat.RFC4180.parse(new StringReader(out))) {
            CSVRecord r = p.getRecords().get(0);
            assertEquals(List.of("x\r\ny", "'-=1", "1,000", "", "\""), r.toList());
        }
    }
}
