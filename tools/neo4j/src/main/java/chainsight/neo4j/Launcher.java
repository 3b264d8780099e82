package chainsight.neo4j;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Starts an embedded Neo4j Community DBMS with Bolt on 127.0.0.1:PORT and blocks until SIGTERM.
 *
 * <p>Options (all optional; {@code --port=N} etc. win over the environment): NEO4J_PORT / --port (7687),
 * NEO4J_HOME_DIR / --home (./data), NEO4J_PAGECACHE / --pagecache (1g), NEO4J_PASSWORD (env only;
 * unset or empty = auth disabled), NEO4J_PLUGINS_DIR / --plugins-dir (jars scanned for procedures),
 * NEO4J_CONF / --conf (extra neo4j.conf-style properties file, applied after the defaults below). Prints exactly one line
 * {@code NEO4J READY bolt://127.0.0.1:PORT} on stdout once Bolt answers a handshake.
 */
public final class Launcher {

    private static String[] argv = new String[0];

    /** {@code --port=N} style argument first, then the environment variable, then the default. */
    private static String opt(String arg, String envName, String dflt) {
        for (String a : argv) {
            if (a.startsWith("--" + arg + "=")) {
                return a.substring(arg.length() + 3).trim();
            }
        }
        String v = System.getenv(envName);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    public static void main(String[] args) throws Exception {
        argv = args;
        String host = "127.0.0.1";
        int port = Integer.parseInt(opt("port", "NEO4J_PORT", "7687"));
        Path home = Path.of(opt("home", "NEO4J_HOME_DIR", "data")).toAbsolutePath().normalize();
        String pagecache = opt("pagecache", "NEO4J_PAGECACHE", "1g");
        String password = System.getenv("NEO4J_PASSWORD"); // env only: keep it out of `ps`
        boolean auth = password != null && !password.isEmpty();
        String pluginsDir = opt("plugins-dir", "NEO4J_PLUGINS_DIR", null);
        String extraConf = opt("conf", "NEO4J_CONF", null);

        Files.createDirectories(home);
        SocketAddress bolt = new SocketAddress(host, port);

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt) // else neo4j:// routing says :7687
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                .setConfig(GraphDatabaseSettings.pagecache_memory, SettingValueParsers.BYTES.parse(pagecache))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files")
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, SettingValueParsers.BYTES.parse("32m"))
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("gds.*", "apoc.*"))
                .setConfig(GraphDatabaseSettings.udc_enabled, false) // no phoning home
                // Bolt's Netty event loops otherwise idle 2 x 5 s on shutdown (stop took ~12 s).
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5));
        if (pluginsDir != null) {
            builder.setConfig(GraphDatabaseSettings.plugin_dir, Path.of(pluginsDir).toAbsolutePath());
        }
        if (extraConf != null) {
            builder.loadPropertiesFromFile(Path.of(extraConf));
        }

        DatabaseManagementService dbms;
        try {
            dbms = builder.build();
        } catch (Throwable t) {
            System.err.println("NEO4J FAILED: " + t);
            t.printStackTrace();
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("NEO4J STOPPING");
            System.out.flush();
            try {
                dbms.shutdown();
            } finally {
                System.out.println("NEO4J STOPPED");
                System.out.flush();
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        try {
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(TimeUnit.MINUTES.toMillis(3))) {
                throw new IllegalStateException("default database not available after 3 minutes");
            }
            if (auth) {
                setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
            }
            waitForBolt(host, port, Duration.ofMinutes(3));
        } catch (Throwable t) {
            System.err.println("NEO4J FAILED: " + t);
            t.printStackTrace();
            System.exit(1); // runs the shutdown hook
            return;
        }

        System.out.println("NEO4J READY bolt://" + host + ":" + port);
        System.out.flush();
        stopped.await();
    }

    /** Works on a fresh home (initial neo4j/neo4j, change required) and on a re-used one. */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // Re-used home started with the same password before: Neo4j refuses "changing" it to itself.
            String msg = String.valueOf(e.getMessage()) + " " + e.getCause();
            if (!msg.contains("cannot be the same")) {
                throw e;
            }
            // Still make sure no password change is pending.
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
    }

    /** Completes a real Bolt version handshake (magic 0x6060B017, offers 5.0-5.4 and 4.4). */
    private static void waitForBolt(String host, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] hello = {
            0x60, 0x60, (byte) 0xB0, 0x17,
            0, 4, 4, 5,
            0, 0, 4, 4,
            0, 0, 0, 0,
            0, 0, 0, 0,
        };
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 2000);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(hello);
                out.flush();
                int version = new DataInputStream(s.getInputStream()).readInt();
                if (version != 0) {
                    return;
                }
                last = new IllegalStateException("Bolt handshake: no common version");
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Bolt did not answer on " + host + ":" + port, last);
    }
}
