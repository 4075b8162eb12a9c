package org.credentialhub.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/**
 * The reference data shipped with the hub ({@code src/main/resources/reference/}: published tables, names, linkage
 * sets; see its README). A folder when the hub runs from its classes, a folder inside the jar otherwise: either way a
 * {@link Path} that {@code Files} reads, so the commands work with nothing beside the checkout and from any folder.
 */
public final class Reference {
    private static final String MARKER = "/reference/README.md";
    private static volatile Path root;

    private Reference() {
    }

    /** The {@code reference} folder. */
    public static Path root() {
        Path r = root;
        if (r == null) {
            synchronized (Reference.class) {
                if (root == null) {
                    root = locate();
                }
                r = root;
            }
        }
        return r;
    }

    /** A file or folder of the reference data, e.g. {@code "names/people.csv"}. */
    public static Path path(String relative) {
        return root().resolve(relative);
    }

    private static Path locate() {
        URL url = Reference.class.getResource(MARKER);
        if (url == null) {
            throw new IllegalStateException("the hub's reference data is missing from the class path (" + MARKER + ")");
        }
        return onClassPath(url).getParent();
    }

    /**
     * A file or folder found on the class path ({@code ClassLoader.getResource}) as a {@link Path} that {@code Files}
     * reads: itself when the hub runs from its classes, the entry inside the jar otherwise (the jar opened as a file
     * system the first time, and kept open).
     */
    public static Path onClassPath(URL url) {
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    // opened before: Path.of finds it
                }
            }
            return Path.of(uri);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("a class-path entry at an unreadable location: " + url, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the hub's jar to read " + url, e);
        }
    }
}
