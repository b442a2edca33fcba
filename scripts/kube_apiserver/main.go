// kube-apiserver, built from the k8s.io/kubernetes module (which cannot be `go install`ed: its go.mod
// replaces its staging modules with local paths; here they are their published builds).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
