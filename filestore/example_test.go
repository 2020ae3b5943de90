package filestore_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/portalkit/portalkit/filestore"
	"github.com/portalkit/portalkit/portalerr"
)

func Example() {
	ctx := context.Background()
	// "file:///var/lib/portalkit/files" in production; memory here.
	store, err := filestore.Open(ctx, "mem://")
	if err != nil {
		panic(err)
	}
	defer store.Close()

	// The client says PNG; the content says text, and text it is.
	f, err := store.Put(ctx, "../damage report.png", strings.NewReader("The lift stopped at 3 m.\n"), filestore.Limits{})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(string(f.Key), "fil_"), f.Name, f.ContentType, f.Size)
	fmt.Println(f.SHA256)

	rd, _, err := store.Get(ctx, f.Key)
	if err != nil {
		panic(err)
	}
	defer rd.Close()
	content, _ := io.ReadAll(rd)
	fmt.Print(string(content))

	// A page pretending to be a picture is refused.
	_, err = store.Put(ctx, "photo.png", strings.NewReader("<html><script>steal()</script>"), filestore.Limits{})
	fmt.Println(portalerr.CodeOf(err), portalerr.MessageOf(err))
	// Output:
	// true damage report.png text/plain; charset=utf-8 25
	// 4f5289d135ef8ec10677fae6b8754d4a8fe22ff4b4f7389012cec6abf0d35c08
	// The lift stopped at 3 m.
	// invalid file: type text/html is not allowed (allowed: image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain, text/csv)
}
