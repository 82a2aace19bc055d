package incident

import "context"

// PagesOf returns the pages sent for an incident, in the order they were sent, with their
// acknowledgements. Errors: StoreFailed.
func (s *Service) PagesOf(ctx context.Context, incidentID int64) ([]Page, error) {
	var pages []Page
	err := s.store.View(ctx, func(tx Tx) (err error) { pages, err = tx.Pages(incidentID); return err })
	if err != nil {
		return nil, StoreFailed(err)
	}
	return pages, nil
}
