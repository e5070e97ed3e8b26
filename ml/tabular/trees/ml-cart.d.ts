// The part of ml-cart (no types of its own) the reference learner uses.
declare module 'ml-cart' {
  interface CartOptions {
    minNumSamples?: number;
    maxDepth?: number;
    gainThreshold?: number;
  }
  interface CartNode {
    /** A leaf's mean (regression) or class distribution (a row vector). */
    classify(row: number[]): number | { columns: number; get(row: number, column: number): number };
  }
  export class DecisionTreeRegression {
    constructor(options?: CartOptions);
    root: CartNode;
    train(x: number[][], y: number[]): void;
    predict(x: number[][]): number[];
    toJSON(): object;
    static load(model: object): DecisionTreeRegression;
  }
  export class DecisionTreeClassifier {
    constructor(options?: CartOptions);
    root: CartNode;
    train(x: number[][], y: number[]): void;
    predict(x: number[][]): number[];
    toJSON(): object;
    static load(model: object): DecisionTreeClassifier;
  }
}
