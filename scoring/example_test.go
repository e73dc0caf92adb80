package scoring_test

import (
	"fmt"
	"strings"

	"github.com/fhi-index/fhi/scoring"
)

// The criteria matrix of Wikipedia's "Analytic hierarchy process – leader example".
func ExampleAHP() {
	labels, m, err := scoring.ParseMatrixCSV(strings.NewReader(`,experience,education,charisma,age
experience,1,4,3,7
education,1/4,1,1/3,3
charisma,1/3,3,1,5
age,1/7,1/3,1/5,1
`))
	if err != nil {
		panic(err)
	}
	res, err := scoring.AHP(m, scoring.SaatyRI)
	if err != nil {
		panic(err)
	}
	for i, l := range labels {
		fmt.Printf("%-10s %.3f\n", l, res.Weights[i])
	}
	fmt.Printf("λmax %.3f CR %.3f\n", res.LambdaMax, res.CR)
	// Output:
	// experience 0.548
	// education  0.127
	// charisma   0.270
	// age        0.056
	// λmax 4.118 CR 0.044
}
