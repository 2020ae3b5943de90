package client

import (
	"io"
	"mime/multipart"
)

// FileUpload returns the Content-Type and the body of a multipart/form-data
// upload of one file, as AttachToTicketWithBodyWithResponse and
// AttachToTicketCommentWithBodyWithResponse take them:
//
//	ct, body := client.FileUpload("damage.png", f)
//	res, err := c.AttachToTicketWithBodyWithResponse(ctx, customerID, ticketID, ct, body)
//
// name is the file's name as the server should show it; the server sniffs
// the type from the content. The body is streamed: content is read while
// the request is sent, never held in memory whole, and a read error of
// content fails the request. The body is an io.ReadCloser, which the HTTP
// client closes when it is done, sent or not; a body never handed to a
// request must be closed by the caller.
func FileUpload(name string, content io.Reader) (contentType string, body io.Reader) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(part, content)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err) // nil closes normally
	}()
	return mw.FormDataContentType(), pr
}
