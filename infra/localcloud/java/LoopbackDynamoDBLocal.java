import java.lang.reflect.Field;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local listening on one host only (127.0.0.1 by default).
 *
 * <p>DynamoDB Local's own main() has no bind-address option: its Jetty server listens on every
 * interface, which would put the shop's local data on the network. This launcher builds the
 * server exactly as DynamoDB Local's main() does, points the Jetty connector at the wanted host
 * before starting it, and never configures telemetry (so nothing is sent anywhere).
 *
 * <p>Usage: java -Dshopdesk.bindHost=127.0.0.1 -cp LAUNCHER_DIR:DynamoDBLocal.jar
 * LoopbackDynamoDBLocal [DynamoDB Local options: -port P -dbPath D -sharedDb ...]
 */
public final class LoopbackDynamoDBLocal {
    private LoopbackDynamoDBLocal() {}

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("shopdesk.bindHost", "127.0.0.1");
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);

        // The Jetty server is a private field; reflection is the only way to reach its connector.
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector) {
                ((ServerConnector) connector).setHost(host);
            }
        }

        proxy.start();
        if (!server.isStarted()) {
            System.err.println("shopdesk: DynamoDB Local did not start (port in use?)");
            System.exit(3);
        }
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector) {
                ServerConnector sc = (ServerConnector) connector;
                System.out.println("shopdesk: DynamoDB Local listening on " + sc.getHost() + ":" + sc.getLocalPort());
            }
        }
        System.out.flush();
        proxy.join();
    }
}
