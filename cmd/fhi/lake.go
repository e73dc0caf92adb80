package main

import (
	"github.com/fhi-index/fhi/pipelines"
)

// writeLake opens the lake for a command that writes it, taking the writer's lock.
func (a *app) writeLake() (*pipelines.Lake, error) { return pipelines.OpenLake(a.lakePath) }

// readLake opens the lake for a command that only reads it.
func (a *app) readLake() (*pipelines.Lake, error) { return pipelines.OpenLake(a.lakePath) }
