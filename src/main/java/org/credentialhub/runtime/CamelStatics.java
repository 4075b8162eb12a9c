package org.credentialhub.runtime;

import org.apache.camel.CamelContext;
import org.apache.camel.component.bean.DefaultParameterMappingStrategy;
import org.apache.camel.language.simple.SimpleLanguage;
import org.apache.camel.support.ExpressionAdapter;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Takes a stopped CamelContext back from the two static singletons of Camel 4.18 that keep one, so that a closed hub
 * leaves nothing reachable in the JVM that ran it. {@code ./hub bench} runs several hubs one after another in one 1-GB
 * heap; the last one closed stayed reachable - context, registry, services, roster - and matching, the next bench, ran
 * out of memory. The two holders ({@code ClosedHubReleasedTest} fails if Camel adds or moves one):
 * <ul>
 * <li>{@code SimpleLanguage.SIMPLE}, a private static instance used nowhere else, to which every started simple
 * language gives its context ({@code SimpleLanguage.start()});</li>
 * <li>the shared expressions of {@code DefaultParameterMappingStrategy} (a bean method's {@code Exchange} parameter and
 * the like): {@code ExpressionAdapter.init} keeps the context's type converter in them. Without it they convert with
 * the exchange's own context's converter, which is also what a second hub in the same JVM should get (a
 * hub's stop takes them back whichever hub's converter they hold).</li>
 * </ul>
 * Private fields are read by reflection (the classes are on the class path, not in named modules); if one is not
 * there, the hub logs it at debug and closes as before.
 */
final class CamelStatics {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CamelStatics.class);

    private CamelStatics() {
    }

    static void release(CamelContext stopped) {
        try {
            SimpleLanguage simple = (SimpleLanguage) staticField(SimpleLanguage.class, "SIMPLE");
            if (simple != null && simple.getCamelContext() == stopped) {
                simple.setCamelContext(null);
            }
            Field converter = ExpressionAdapter.class.getDeclaredField("converter");
            converter.setAccessible(true);
            for (Object e : ((Map<?, ?>) staticField(DefaultParameterMappingStrategy.class, "MAP")).values()) {
                if (e instanceof ExpressionAdapter a) {
                    converter.set(a, null);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Camel's static singletons still hold the stopped context: {}", e.toString());
        }
    }

    private static Object staticField(Class<?> type, String name) throws ReflectiveOperationException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(null);
    }
}
