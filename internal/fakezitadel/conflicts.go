package fakezitadel

import "context"

// lockMetadataWrite is lockWritable for the metadata write commands of both
// services. With Options.WriteConflicts it first claims the organization's
// event stream and holds the claim for Options.WriteWindow without the
// store lock, as a real command works between reading its events and pushing
// new ones; a second write of the organization that starts meanwhile, over
// v1 or v2, fails with the event store's conflict. The claim is released by
// the returned unlock.
//
// The conflict is decided when the write starts, after request validation,
// the empty-list check and authorization but before the organization's
// state is looked at: a write that would fail on a removed organization or a
// missing key can still conflict, a simplification of ZITADEL, where only
// commands that push events collide.
func (s *Server) lockMetadataWrite(ctx context.Context, orgID string) (*org, func(), error) {
	if !s.opts.WriteConflicts {
		return s.lockWritable(orgID)
	}
	if err := s.claimWrite(orgID); err != nil {
		return nil, nil, err
	}
	if err := sleep(ctx, s.opts.WriteWindow); err != nil {
		s.releaseWrite(orgID)
		return nil, nil, err
	}
	o, unlock, err := s.lockWritable(orgID)
	if err != nil {
		s.releaseWrite(orgID)
		return nil, nil, err
	}
	return o, func() { unlock(); s.releaseWrite(orgID) }, nil
}

// claimWrite marks a write of the organization in flight, or counts and
// answers a conflict when another one is.
func (s *Server) claimWrite(orgID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writing[orgID] {
		s.conflicts++
		return errWriteConflict
	}
	s.writing[orgID] = true
	return nil
}

func (s *Server) releaseWrite(orgID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.writing, orgID)
}

// WriteConflicts returns how many writes failed with the event store's
// conflict (Options.WriteConflicts) since the last ResetCalls, or since the
// start when there was none. Injected faults are not counted.
func (s *Server) WriteConflicts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflicts
}
