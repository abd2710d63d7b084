package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rawkafka/rawkafka/protocol"
)

// metadata is what -L prints: a Metadata response and the broker that sent it.
type metadata struct {
	originID   int32
	originName string // "host:port/id", as kcat names it
	resp       *protocol.MetadataResponse
}

// listMetadata fetches metadata for all topics (or opts.topic) and prints it.
func listMetadata(ctx context.Context, opts *options, out io.Writer) error {
	md, err := fetchMetadata(ctx, opts)
	if err != nil {
		return err
	}
	if opts.json {
		return printMetadataJSON(out, md, opts.topic)
	}
	return printMetadataText(out, md, opts.topic)
}

// printMetadataText prints md in kcat -L's text layout.
func printMetadataText(out io.Writer, md *metadata, topic string) error {
	var b strings.Builder
	what := "all topics"
	if topic != "" {
		what = topic
	}
	fmt.Fprintf(&b, "Metadata for %s (from broker %d: %s):\n", what, md.originID, md.originName)
	r := md.resp
	fmt.Fprintf(&b, " %d brokers:\n", len(r.Brokers))
	for _, br := range r.Brokers {
		controller := ""
		if br.NodeId == r.ControllerId {
			controller = " (controller)"
		}
		fmt.Fprintf(&b, "  broker %d at %s%s\n", br.NodeId, hostPort(br.Host, br.Port), controller)
	}
	fmt.Fprintf(&b, " %d topics:\n", len(r.Topics))
	for _, t := range r.Topics {
		fmt.Fprintf(&b, "  topic \"%s\" with %d partitions:", topicName(t), len(t.Partitions))
		if err := protocol.ErrorForCode(t.ErrorCode); err != nil {
			fmt.Fprintf(&b, " %s", errorText(t.ErrorCode))
			if t.ErrorCode == protocol.ErrLeaderNotAvailable.Code {
				b.WriteString(" (try again)")
			}
		}
		b.WriteByte('\n')
		for _, p := range t.Partitions {
			fmt.Fprintf(&b, "    partition %d, leader %d, replicas: %s, isrs: %s",
				p.PartitionIndex, p.LeaderId, joinIDs(p.ReplicaNodes), joinIDs(p.IsrNodes))
			if protocol.ErrorForCode(p.ErrorCode) != nil {
				fmt.Fprintf(&b, ", %s", errorText(p.ErrorCode))
			}
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// The JSON layout of kcat -L -J.
type (
	jsonMetadata struct {
		OriginatingBroker jsonBroker   `json:"originating_broker"`
		Query             jsonQuery    `json:"query"`
		ControllerID      int32        `json:"controllerid"`
		Brokers           []jsonBroker `json:"brokers"`
		Topics            []jsonTopic  `json:"topics"`
	}
	jsonQuery struct {
		Topic string `json:"topic"`
	}
	jsonBroker struct {
		ID   int32  `json:"id"`
		Name string `json:"name"`
	}
	jsonTopic struct {
		Topic      string          `json:"topic"`
		Error      string          `json:"error,omitempty"`
		Partitions []jsonPartition `json:"partitions"`
	}
	jsonPartition struct {
		Partition int32    `json:"partition"`
		Error     string   `json:"error,omitempty"`
		Leader    int32    `json:"leader"`
		Replicas  []jsonID `json:"replicas"`
		ISRs      []jsonID `json:"isrs"`
	}
	jsonID struct {
		ID int32 `json:"id"`
	}
)

// printMetadataJSON prints md as one JSON object in kcat -L -J's layout.
func printMetadataJSON(out io.Writer, md *metadata, topic string) error {
	r := md.resp
	j := jsonMetadata{
		OriginatingBroker: jsonBroker{ID: md.originID, Name: md.originName},
		Query:             jsonQuery{Topic: "*"},
		ControllerID:      r.ControllerId,
		Brokers:           []jsonBroker{},
		Topics:            []jsonTopic{},
	}
	if topic != "" {
		j.Query.Topic = topic
	}
	for _, br := range r.Brokers {
		j.Brokers = append(j.Brokers, jsonBroker{ID: br.NodeId, Name: hostPort(br.Host, br.Port)})
	}
	for _, t := range r.Topics {
		jt := jsonTopic{Topic: topicName(t), Partitions: []jsonPartition{}}
		if protocol.ErrorForCode(t.ErrorCode) != nil {
			jt.Error = errorText(t.ErrorCode)
		}
		for _, p := range t.Partitions {
			jp := jsonPartition{Partition: p.PartitionIndex, Leader: p.LeaderId, Replicas: jsonIDs(p.ReplicaNodes), ISRs: jsonIDs(p.IsrNodes)}
			if protocol.ErrorForCode(p.ErrorCode) != nil {
				jp.Error = errorText(p.ErrorCode)
			}
			jt.Partitions = append(jt.Partitions, jp)
		}
		j.Topics = append(j.Topics, jt)
	}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	_, err = out.Write(append(b, '\n'))
	return err
}

func topicName(t protocol.MetadataResponseTopic) string {
	if t.Name == nil {
		return t.TopicId.String()
	}
	return *t.Name
}

func hostPort(host string, port int32) string {
	return host + ":" + strconv.Itoa(int(port))
}

func joinIDs(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return strings.Join(s, ",")
}

func jsonIDs(ids []int32) []jsonID {
	out := make([]jsonID, len(ids))
	for i, id := range ids {
		out[i] = jsonID{ID: id}
	}
	return out
}

// errorText names a Kafka error code the way it is known: "Broker: " and the
// Kafka name, e.g. "Broker: UNKNOWN_TOPIC_OR_PARTITION".
func errorText(code int16) string {
	if e, ok := protocol.ErrorForCode(code).(*protocol.Error); ok {
		return "Broker: " + e.Name
	}
	return fmt.Sprintf("Broker: error %d", code)
}
