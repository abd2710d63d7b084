package group

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// declaredTypes returns the types with the marker method (isEvent or
// isAction) in file, read from the source so that a new type cannot be
// forgotten here.
func declaredTypes(t *testing.T, file, marker string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || fn.Name.Name != marker {
			continue
		}
		if id, ok := fn.Recv.List[0].Type.(*ast.Ident); ok {
			names = append(names, id.Name)
		}
	}
	if len(names) == 0 {
		t.Fatalf("no %s methods in %s", marker, file)
	}
	return names
}

func typeName(v any) string { return reflect.TypeOf(v).Name() }

// TestEveryStateAndEventHasARow fails when a state or an event type has no
// row in the transition table.
func TestEveryStateAndEventHasARow(t *testing.T) {
	states := map[State]bool{}
	events := map[string]bool{}
	for _, r := range rows {
		states[r.from().State()] = true
		events[typeName(r.ev)] = true
	}
	for _, s := range States() {
		if !states[s] {
			t.Errorf("state %s has no row in the table", s)
		}
	}
	for _, name := range declaredTypes(t, "event.go", "isEvent") {
		if !events[name] {
			t.Errorf("event %s has no row in the table", name)
		}
	}
}

// TestEveryActionIsProduced fails when an action type is never emitted by
// the table or the scripts' fixtures.
func TestEveryActionIsProduced(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rows {
		_, acts := r.from().Step(r.ev)
		for _, a := range acts {
			seen[typeName(a)] = true
		}
	}
	for _, name := range declaredTypes(t, "action.go", "isAction") {
		if !seen[name] {
			t.Errorf("action %s is never produced by the table", name)
		}
	}
}

// sampleEvents has one event of every type, for the exhaustive test.
func sampleEvents() []Event {
	return []Event{
		Start{Now: at(1), Topics: []string{"a"}},
		CoordinatorFound{Now: at(1)},
		CoordinatorFailed{Now: at(1), Err: protocol.ErrCoordinatorNotAvailable},
		joinOK(at(1), "m2", 1, "m1"),
		AssignmentComputed{Now: at(1), Generation: 1},
		syncOK(at(1), 1, "a/0"),
		hb(1, "m2", protocol.ErrUnknownMemberId),
		LeaveResponse{Now: at(1)},
		RequestFailed{Now: at(1), API: protocol.KeyHeartbeat},
		Tick{Now: at(70000)},
		Poll{Now: at(1)},
		SubscriptionChanged{Now: at(1), Topics: []string{"z"}},
		MetadataChanged{Now: at(1), PartitionCounts: map[string]int32{"a": 9}},
		RevokeDone{Now: at(1)},
		Close{Now: at(1)},
	}
}

var fixtures = map[State]func() Member{
	Idle: fIdle, FindingCoordinator: fFinding, Revoking: fRevoking, Joining: fJoining,
	Assigning: fAssigning, AwaitingSync: fAwaitingSync, Stable: fStable, Unjoined: fUnjoined,
	Leaving: fLeaving, Failed: fFailed, Closed: fClosed,
}

// TestEveryStateTimesEveryEvent steps every state with every event type:
// Step is deterministic, leaves the member it was called on unchanged,
// and terminal states stay quiet.
func TestEveryStateTimesEveryEvent(t *testing.T) {
	evs := sampleEvents()
	if got, want := len(evs), len(declaredTypes(t, "event.go", "isEvent")); got != want {
		t.Fatalf("sampleEvents has %d events, event.go declares %d", got, want)
	}
	for _, st := range States() {
		f := fixtures[st]
		if f == nil {
			t.Fatalf("no fixture for %s", st)
		}
		if f().State() != st {
			t.Fatalf("fixture for %s is in %s", st, f().State())
		}
		for _, ev := range evs {
			m := f()
			before := describeMember(m)
			n1, a1 := m.Step(ev)
			n2, a2 := m.Step(ev)
			if describeMember(m) != before {
				t.Errorf("%s + %T changed the member Step was called on", st, ev)
			}
			if n1.State() != n2.State() || !slices.Equal(describeAll(a1), describeAll(a2)) || describeMember(n1) != describeMember(n2) {
				t.Errorf("%s + %T is not deterministic", st, ev)
			}
			if st == Closed && (len(a1) > 0 || n1.State() != Closed) {
				t.Errorf("Closed + %T: %s %v", ev, n1.State(), describeAll(a1))
			}
			if _, isClose := ev.(Close); st == Failed && !isClose && (len(a1) > 0 || n1.State() != Failed) {
				t.Errorf("Failed + %T: %s %v", ev, n1.State(), describeAll(a1))
			}
		}
	}
}

// describeMember prints every field, unexported ones included.
func describeMember(m Member) string { return fmt.Sprintf("%+v", m) }
