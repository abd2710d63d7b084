// CrossCheck runs kafka-clients' own assignors, and the group coordinator's
// protocol vote, over groups.txt and prints what crosscheck_test.go
// compares rawkafka's results with. See README.md for how to run it.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

public class CrossCheck {
    // One block of groups.txt.
    static final class Block {
        boolean vote;
        final Map<String, Integer> topics = new HashMap<>();
        final Map<String, String> racks = new HashMap<>(); // topic -> "r0,r1;r2;-" (racks-groups.txt)
        final List<String[]> members = new ArrayList<>(); // id, instance, rack, topics
        final List<List<String>> votes = new ArrayList<>();
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<Block> blocks = new ArrayList<>();
        for (String line; (line = in.readLine()) != null; ) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("group") || f[0].equals("vote")) {
                Block b = new Block();
                b.vote = f[0].equals("vote");
                blocks.add(b);
            } else if (f[0].equals("topic")) {
                blocks.get(blocks.size() - 1).topics.put(f[1], Integer.parseInt(f[2]));
                if (f.length == 4)
                    blocks.get(blocks.size() - 1).racks.put(f[1], f[3]);
            } else if (f.length == 5 || f.length == 7) {
                blocks.get(blocks.size() - 1).members.add(Arrays.copyOfRange(f, 1, f.length));
            } else {
                blocks.get(blocks.size() - 1).votes.add(Arrays.asList(f[1].split(",")));
            }
        }
        StringBuilder out = new StringBuilder();
        boolean sticky = args.length > 0 && args[0].equals("sticky");
        boolean racks = args.length > 0 && args[0].equals("racks");
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            if (sticky && b.vote)
                continue;
            // New sticky instances for every group: they keep state (the
            // highest generation seen) between calls.
            ConsumerPartitionAssignor[] assignors = sticky
                ? new ConsumerPartitionAssignor[] {new StickyAssignor(), new CooperativeStickyAssignor()}
                : racks
                ? new ConsumerPartitionAssignor[] {new RangeAssignor(), new StickyAssignor(), new CooperativeStickyAssignor()}
                : new ConsumerPartitionAssignor[] {new RangeAssignor(), new RoundRobinAssignor()};
            if (b.vote) {
                out.append("vote ").append(i).append(' ').append(vote(b.votes)).append('\n');
                continue;
            }
            for (ConsumerPartitionAssignor a : assignors) {
                out.append("group ").append(i).append(' ').append(a.name()).append('\n');
                if (b.members.isEmpty())
                    continue; // roundrobin's CircularIterator refuses an empty group
                Map<String, ConsumerPartitionAssignor.Assignment> result;
                try {
                    result = a.assign(cluster(b.topics, b.racks), subscriptions(b.members, a)).groupAssignment();
                } catch (RuntimeException e) { // Java's own bugs, such as a NullPointerException
                    out.append("error ").append(e.getClass().getSimpleName()).append('\n');
                    continue;
                }
                for (int j = 0; j < b.members.size(); j++) {
                    List<TopicPartition> tps = new ArrayList<>(result.get(b.members.get(j)[0]).partitions());
                    tps.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
                    out.append(j).append(' ').append(format(tps)).append('\n');
                }
            }
        }
        System.out.write(out.toString().getBytes(StandardCharsets.UTF_8));
        System.out.flush();
    }

    // A cluster of one broker without a rack that leads every partition,
    // and, for the topics with racks (racks-groups.txt: partitions split
    // by ';', each a list of racks or "-"), one broker per rack, which
    // partitions on that rack have as replicas.
    static Cluster cluster(Map<String, Integer> topics, Map<String, String> racks) {
        Node node = new Node(0, "localhost", 9092);
        Node[] nodes = {node};
        Map<String, Node> byRack = new HashMap<>();
        List<Node> all = new ArrayList<>(List.of(node));
        List<PartitionInfo> partitions = new ArrayList<>();
        topics.forEach((topic, n) -> {
            String[] perPartition = racks.containsKey(topic) ? racks.get(topic).split(";", -1) : new String[0];
            for (int p = 0; p < n; p++) {
                Node[] replicas = nodes;
                if (p < perPartition.length && !perPartition[p].equals("-")) {
                    String[] rs = perPartition[p].split(",");
                    replicas = new Node[rs.length];
                    for (int k = 0; k < rs.length; k++) {
                        replicas[k] = byRack.computeIfAbsent(rs[k], r -> {
                            Node b = new Node(1 + byRack.size(), "localhost", 9093 + byRack.size(), r);
                            all.add(b);
                            return b;
                        });
                    }
                }
                partitions.add(new PartitionInfo(topic, p, replicas[0], replicas, replicas));
            }
        });
        return new Cluster("crosscheck", all, partitions, Set.of(), Set.of());
    }

    // Members: id, instance, rack, topics and, in sticky-groups.txt, the
    // generation and the partitions they own, which the StickyAssignor
    // reads from user data (its v1: previous assignment and generation) and
    // the CooperativeStickyAssignor from a v2+ subscription.
    static GroupSubscription subscriptions(List<String[]> members, ConsumerPartitionAssignor a) {
        Map<String, Subscription> subs = new HashMap<>();
        for (String[] m : members) {
            List<String> topics = m[3].equals("-") ? List.of() : Arrays.asList(m[3].split(","));
            Optional<String> rack = m[2].equals("-") ? Optional.empty() : Optional.of(m[2]);
            int generation = m.length > 4 ? Integer.parseInt(m[4]) : -1;
            List<TopicPartition> owned = m.length > 4 ? parsePartitions(m[5]) : List.of();
            Subscription s;
            if (a instanceof StickyAssignor && m.length > 4)
                s = new Subscription(topics, stickyUserData(m[5], generation), List.of(), generation, rack);
            else if (a instanceof CooperativeStickyAssignor)
                s = new Subscription(topics, null, owned, generation, rack);
            else
                s = new Subscription(topics, null, List.of(), -1, rack);
            s.setGroupInstanceId(m[1].equals("-") ? Optional.empty() : Optional.of(m[1]));
            subs.put(m[0], s);
        }
        return new GroupSubscription(subs);
    }

    // The vote as the group coordinator holds it (ClassicGroup.selectProtocol
    // in Kafka 4.x): candidates are the names every member supports, each
    // member votes for its first candidate, counted in a HashMap, and the
    // first entry with the most votes wins.
    static String vote(List<List<String>> members) {
        Map<String, Integer> supporters = new HashMap<>();
        for (List<String> names : members)
            for (String name : new HashSet<>(names))
                supporters.merge(name, 1, Integer::sum);
        Set<String> candidates = new HashSet<>();
        supporters.forEach((name, n) -> {
            if (n == members.size()) candidates.add(name);
        });
        Map<String, Integer> votes = new HashMap<>();
        for (List<String> names : members) {
            String choice = names.stream().filter(candidates::contains).findFirst().orElseThrow();
            votes.put(choice, votes.getOrDefault(choice, 0) + 1);
        }
        return votes.entrySet().stream().max(Comparator.comparingInt(Map.Entry::getValue)).map(Map.Entry::getKey).orElseThrow();
    }

    // "t:0,1 u:2" or "-".
    static List<TopicPartition> parsePartitions(String s) {
        List<TopicPartition> out = new ArrayList<>();
        if (s.equals("-")) return out;
        for (String t : s.split(" ")) {
            String[] f = t.split(":");
            for (String p : f[1].split(","))
                out.add(new TopicPartition(f[0], Integer.parseInt(p)));
        }
        return out;
    }

    // StickyAssignor user data v1, written out: [topic, [partition]], generation.
    static java.nio.ByteBuffer stickyUserData(String owned, int generation) {
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(raw);
        try {
            String[] topics = owned.equals("-") ? new String[0] : owned.split(" ");
            out.writeInt(topics.length);
            for (String t : topics) {
                String[] f = t.split(":");
                byte[] name = f[0].getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                String[] ps = f[1].split(",");
                out.writeInt(ps.length);
                for (String p : ps) out.writeInt(Integer.parseInt(p));
            }
            out.writeInt(generation);
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
        return java.nio.ByteBuffer.wrap(raw.toByteArray());
    }

    static String format(List<TopicPartition> tps) {
        if (tps.isEmpty()) return "-";
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < tps.size(); k++) {
            TopicPartition tp = tps.get(k);
            if (k == 0) b.append(tp.topic()).append(':').append(tp.partition());
            else if (!tps.get(k - 1).topic().equals(tp.topic())) b.append(' ').append(tp.topic()).append(':').append(tp.partition());
            else b.append(',').append(tp.partition());
        }
        return b.toString();
    }
}
