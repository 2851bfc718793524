package fakezitadel

import "context"

// lockMetadataWrite is lockWritable for the metadata write commands of every
// service. With Options.WriteConflicts it first claims the owner's event
// stream (an organization's, or a user's: a user is an aggregate of its own,
// so writes to two users of one organization never collide) and holds the
// claim for Options.WriteWindow without the store lock, as a real command
// works between reading its events and pushing new ones; a second write of
// the owner that starts meanwhile, over any service or transport, fails
// with the event store's conflict. The claim is released by the returned
// unlock.
//
// The conflict is decided when the write starts, after request validation,
// the empty-list check and authorization but before the owner's state is
// looked at: a write that would fail on a removed owner or a missing key can
// still conflict, a simplification of ZITADEL, where only commands that push
// events collide.
func (s *Server) lockMetadataWrite(ctx context.Context, t metadataTarget) (*metadataOwner, func(), error) {
	if !s.opts.WriteConflicts {
		return s.lockWritable(t)
	}
	if err := s.claimWrite(t.id); err != nil {
		return nil, nil, err
	}
	if err := sleep(ctx, s.opts.WriteWindow); err != nil {
		s.releaseWrite(t.id)
		return nil, nil, err
	}
	o, unlock, err := s.lockWritable(t)
	if err != nil {
		s.releaseWrite(t.id)
		return nil, nil, err
	}
	return o, func() { unlock(); s.releaseWrite(t.id) }, nil
}

// claimWrite marks a write of the owner's event stream in flight, or
// counts and answers a conflict when another one is.
func (s *Server) claimWrite(ownerID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writing[ownerID] {
		s.conflicts++
		return errWriteConflict
	}
	s.writing[ownerID] = true
	return nil
}

func (s *Server) releaseWrite(ownerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.writing, ownerID)
}

// WriteConflicts returns how many writes failed with the event store's
// conflict (Options.WriteConflicts) since the last ResetCalls, or since the
// start when there was none. Injected faults are not counted.
func (s *Server) WriteConflicts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflicts
}
