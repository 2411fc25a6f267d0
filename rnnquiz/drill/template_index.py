"""The shipped templates by the digest of their file's bytes (rnnquiz.drill.indexed).

Written by scripts/make_template_index.py from problems/*.yaml: do not edit.
"""
# ruff: noqa: E501

FILES = {
    # bptt.yaml
    '8120c6d9d303b4d492828c6a10500b73d5e81f79': (
        [{'id': 'bptt-gradient-w',
          'skill': 'bptt',
          'title': 'dL/dw of a one-neuron RNN by hand',
          'difficulty': 3,
          'params': {'m': 1, 'n': 1, 'T': 2, 'bias': False, 'activation': 'identity'},
          'question': 'A one-neuron linear RNN computes h_t = u·x_t + w·h_(t-1) from the initial state '
                      'h_0 = {h_0}, with u = {W_xh} and w = {W_hh}. The inputs are x_1 = {x_1} and x_2 '
                      '= {x_2}; the loss is L = 0.5·(h_2 - {target})². Compute dL/dw to 4 decimal '
                      'places.',
          'hints': ['Run forward first and keep every h_t, starting from h_0.',
                    'dL/dw is a sum: each step t adds (dL/dh_t)·h_(t-1), and h_0 is not zero here.'],
          'ask': {'quantity': 'gradient', 'of': 'W_hh', 'decimals': 4, 'h0': True}},
         {'id': 'bptt-gradient-w-three-steps',
          'skill': 'bptt',
          'title': 'dL/dw over three steps by hand',
          'difficulty': 3,
          'params': {'m': 1, 'n': 1, 'T': 3, 'bias': False, 'activation': 'identity'},
          'question': 'A one-neuron linear RNN computes h_t = u·x_t + w·h_(t-1) with h_0 = 0, u = '
                      '{W_xh} and w = {W_hh}. The inputs are x_1 = {x_1}, x_2 = {x_2} and x_3 = {x_3}; '
                      'the loss is L = 0.5·(h_3 - {target})². Compute dL/dw to 4 decimal places.',
          'hints': ['Three terms: dL/dw = sum over t of (dL/dh_t)·h_(t-1), going back from t = 3.'],
          'ask': {'quantity': 'gradient', 'of': 'W_hh', 'decimals': 4}},
         {'id': 'bptt-gradient-u-tanh',
          'skill': 'bptt',
          'title': 'dL/du of a one-neuron tanh RNN by hand',
          'difficulty': 3,
          'params': {'m': 1, 'n': 1, 'T': 2, 'bias': False, 'activation': 'tanh'},
          'question': 'A one-neuron RNN computes h_t = tanh(u·x_t + w·h_(t-1)) with h_0 = 0, u = '
                      '{W_xh}, w = {W_hh}, inputs x_1 = {x_1}, x_2 = {x_2}, and loss L = 0.5·(h_2 - '
                      '{target})². Compute dL/du to 4 decimal places.',
          'hints': ["tanh'(a) = 1 - tanh(a)² = 1 - h²."],
          'ask': {'quantity': 'gradient', 'of': 'W_xh', 'decimals': 4}},
         {'id': 'bptt-gradient-scaling',
          'skill': 'bptt',
          'title': 'How a gradient scales over T steps',
          'difficulty': 2,
          'params': {'m': 1, 'n': 1, 'T': [3, 12], 'bias': False},
          'question': 'In a linear one-neuron RNN h_t = w·h_(t-1) + u·x_t, the recurrent weight is w = '
                      '{W_hh}. By what factor is the gradient multiplied on its way back from h_{T} to '
                      'h_0 (that is, dh_{T}/dh_0)? Give 3 significant figures.',
          'hints': ['Each step back multiplies by dh_t/dh_(t-1) = w.'],
          'ask': {'quantity': 'gradient_factor'}},
         {'id': 'bptt-stored-values',
          'skill': 'bptt',
          'title': 'What BPTT keeps in memory',
          'difficulty': 2,
          'params': {'m': [2, 50], 'n': [2, 200], 'T': [5, 100]},
          'question': 'An RNN with {m} inputs and {n} hidden neurons is trained with backpropagation '
                      'through time on sequences of T = {T}. How many numbers of hidden state must it '
                      'keep per sequence (one sequence, counting h_0)?',
          'hints': ['Count the hidden states h_0, h_1, ..., h_T first, then the numbers each one '
                    'holds.'],
          'ask': {'quantity': 'stored_values'}},
         {'id': 'bptt-stored-values-lstm',
          'skill': 'bptt',
          'title': 'What BPTT keeps for an LSTM',
          'difficulty': 3,
          'params': {'m': [2, 50],
                     'n': [2, 200],
                     'T': [5, 100],
                     'cell': 'lstm',
                     'convention': 'pytorch'},
          'question': 'torch.nn.LSTM({m}, {n}) is trained with BPTT on sequences of T = {T}. How many '
                      'numbers of hidden and cell state must it keep per sequence, counting h_0 and '
                      'c_0?',
          'hints': ['An LSTM carries two states, h_t and c_t, of hidden_size numbers each; count both '
                    'from t = 0 to T.'],
          'ask': {'quantity': 'stored_values'}},
         {'id': 'bptt-gradient-terms',
          'skill': 'bptt',
          'title': 'Terms summed into dL/dW_hh',
          'difficulty': 1,
          'params': {'m': [2, 50], 'n': [2, 100], 'p': [2, 20], 'T': [3, 50]},
          'question': 'An RNN with {m} inputs, {n} hidden neurons and {p} outputs is trained on '
                      'sequences of T = {T} with a loss at every step. BPTT writes dL/dW_hh as a sum '
                      'with one term per time step at which W_hh is used (each term gathers everything '
                      'that flows back into that use). How many terms does that sum have?',
          'hints': ['How many times is W_hh used in one forward pass over the sequence?'],
          'ask': {'quantity': 'gradient_terms', 'tensor': 'W_hh'}}]
    ),
    # conventions.yaml
    'f107898d52f7465d16cc5f5917cf994c9392dbd2': (
        [{'id': 'pytorch-rnn-count',
          'skill': 'conventions',
          'title': 'torch.nn.RNN parameter count',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'convention': 'pytorch'},
          'question': 'How many parameters does torch.nn.RNN(input_size={m}, hidden_size={n}) have?',
          'hints': ['Look at its state_dict: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0.'],
          'ask': {'quantity': 'total'}},
         {'id': 'pytorch-rnn-linear-head',
          'skill': 'conventions',
          'title': 'torch.nn.RNN followed by nn.Linear',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'p': [2, 30], 'convention': 'pytorch'},
          'question': 'A PyTorch model is nn.RNN({m}, {n}) followed by nn.Linear({n}, {p}). How many '
                      'parameters does it have in all?',
          'hints': ["Add nn.RNN's tensors (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0) to "
                    "nn.Linear's weight and bias."],
          'ask': {'quantity': 'total', 'format': 'choice'}},
         {'id': 'keras-gru-reset-after',
          'skill': 'conventions',
          'title': 'Keras GRU with reset_after=True',
          'difficulty': 3,
          'params': {'m': [2, 60],
                     'n': [2, 100],
                     'cell': 'gru',
                     'convention': 'keras',
                     'reset_after': True},
          'question': 'keras.layers.GRU({n}) (Keras 3 defaults, so reset_after=True) reads inputs of '
                      '{m} features. What does count_params() return for the layer?',
          'hints': ['With reset_after=True the bias has shape (2, 3n).'],
          'ask': {'quantity': 'total'}},
         {'id': 'keras-gru-reset-before',
          'skill': 'conventions',
          'title': 'Keras GRU with reset_after=False',
          'difficulty': 3,
          'params': {'m': [2, 60],
                     'n': [2, 100],
                     'cell': 'gru',
                     'convention': 'keras',
                     'reset_after': False},
          'question': 'keras.layers.GRU({n}, reset_after=False) reads inputs of {m} features. How many '
                      'parameters does the layer have?',
          'hints': ['Three gate blocks (z, r, h), each with input weights, recurrent weights and, with '
                    'reset_after=False, one bias vector.'],
          'ask': {'quantity': 'total'}},
         {'id': 'keras-gru-bias-shape',
          'skill': 'conventions',
          'title': "Shape of a Keras GRU's bias",
          'difficulty': 3,
          'params': {'m': [2, 60],
                     'n': [2, 100],
                     'cell': 'gru',
                     'convention': 'keras',
                     'reset_after': True},
          'question': 'What is the shape of the bias of keras.layers.GRU({n}) (reset_after=True) on '
                      'inputs of {m} features?',
          'hints': ['How many gate blocks does a GRU stack side by side, and how many bias rows does '
                    'reset_after=True keep?'],
          'ask': {'quantity': 'shape', 'tensor': 'gru/bias'}},
         {'id': 'keras-simple-rnn-kernel',
          'skill': 'conventions',
          'title': 'Shape of a Keras SimpleRNN kernel',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'convention': 'keras'},
          'question': 'Keras stores weights as (in, out) and computes x · kernel. What is the shape of '
                      'the kernel of keras.layers.SimpleRNN({n}) on inputs of {m} features?',
          'hints': ['x · kernel must turn a row of input features into a row of hidden units.'],
          'ask': {'quantity': 'shape', 'tensor': 'simple_rnn/kernel'}},
         {'id': 'keras-lstm-count',
          'skill': 'conventions',
          'title': 'keras.layers.LSTM parameter count',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'cell': 'lstm', 'convention': 'keras'},
          'question': 'How many parameters does keras.layers.LSTM({n}) have on inputs of {m} features?',
          'hints': ['Four gate blocks (i, f, c, o), each with kernel columns, recurrent-kernel columns '
                    'and one bias vector.'],
          'ask': {'quantity': 'total'}}]
    ),
    # counts.yaml
    '365fc28c2701138b2ccdcd7bcaf14a90e6aeb539': (
        [{'id': 'count-wxh',
          'skill': 'counts',
          'title': 'Parameters in W_xh',
          'difficulty': 1,
          'params': {'m': [2, 60], 'n': [2, 100], 'p': [2, 20]},
          'question': 'An RNN has an input layer of {m} neurons, a hidden layer of {n} and an output '
                      'layer of {p}. How many weights does the input-to-hidden matrix W_xh hold?',
          'hints': ['W_xh connects every input neuron to every hidden neuron.'],
          'ask': {'quantity': 'parameters', 'tensor': 'W_xh'}},
         {'id': 'count-recurrent-connections',
          'skill': 'counts',
          'title': 'Hidden-to-hidden connections',
          'difficulty': 1,
          'params': {'m': [2, 60], 'n': {'choices': [10, 20, 50, 64, 100, 128, 200, 256, 500]}},
          'question': 'A recurrent layer has {n} hidden neurons, each connected to every hidden neuron '
                      'of the previous time step (itself included). How many hidden-to-hidden weights '
                      'are there?',
          'hints': ['Every one of the {n} neurons receives a connection from each of the {n}.'],
          'ask': {'quantity': 'parameters', 'tensor': 'W_hh'}},
         {'id': 'total-with-bias',
          'skill': 'counts',
          'title': 'Total parameters with bias',
          'difficulty': 1,
          'params': {'m': [2, 60], 'n': [2, 100], 'p': [2, 30]},
          'question': 'An RNN has an input layer of {m} neurons, a hidden layer of {n} neurons and an '
                      'output layer of {p} neurons, with a bias on every hidden and output neuron '
                      '(textbook RNN: W_xh, W_hh, b_h, W_hy, b_y). How many parameters does it have?',
          'hints': ['Count W_xh, W_hh and W_hy, then the biases b_h ({n}) and b_y ({p}).'],
          'ask': {'quantity': 'total'}},
         {'id': 'total-without-bias',
          'skill': 'counts',
          'title': 'Total parameters without bias',
          'difficulty': 1,
          'params': {'m': [2, 60], 'n': [2, 100], 'p': [2, 30], 'bias': False},
          'question': 'An RNN without biases has {m} input neurons, {n} hidden neurons and {p} output '
                      'neurons. How many parameters (weights) does it have?',
          'hints': ['Without biases only the weight matrices W_xh, W_hh and W_hy count.'],
          'ask': {'quantity': 'total'}},
         {'id': 'total-both-ways',
          'skill': 'counts',
          'title': 'Total with bias, given the count without',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'p': [2, 30]},
          'question': 'An RNN with {m} inputs, {n} hidden neurons and {p} outputs has '
                      '{total_without_bias} weights when no biases are used. How many parameters does '
                      'it have when every hidden and output neuron gets a bias?',
          'hints': ['The biases add one parameter per hidden neuron and one per output neuron.'],
          'ask': {'quantity': 'total', 'bias': True}},
         {'id': 'total-choice',
          'skill': 'counts',
          'title': 'Total parameters (multiple choice)',
          'difficulty': 1,
          'params': {'m': [2, 60], 'n': [2, 100], 'p': [2, 30]},
          'question': 'An RNN has {m} inputs, {n} hidden neurons and {p} outputs, with biases on the '
                      'hidden and output neurons. How many parameters does it have?',
          'hints': ['Count W_xh, W_hh and W_hy, then one bias per hidden neuron and one per output '
                    'neuron.'],
          'ask': {'quantity': 'total', 'format': 'choice'}},
         {'id': 'total-goodfellow',
          'skill': 'counts',
          'title': "Total parameters in Goodfellow's notation",
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'p': [2, 30]},
          'question': "Goodfellow et al.'s RNN has parameters U, W, V, b and c: a(t) = b + W h(t-1) + "
                      'U x(t), o(t) = c + V h(t). With {m} input features, {n} hidden units and {p} '
                      'outputs, how many parameters is that in all?',
          'hints': ['U is hidden × input, W hidden × hidden, V output × hidden; b has an entry per '
                    'hidden unit, c one per output.'],
          'ask': {'quantity': 'total'}},
         {'id': 'total-with-t',
          'skill': 'counts',
          'title': 'Total parameters for a sequence of length T',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'p': [2, 30], 'T': [5, 60]},
          'question': 'An RNN with {m} inputs, {n} hidden neurons and {p} outputs (biases included) is '
                      'trained on sequences of T = {T} time steps. How many trainable parameters does '
                      'it have?',
          'hints': ['Are the weights at step 2 different from those at step 1?'],
          'ask': {'quantity': 'total'}}]
    ),
    # figures.yaml
    '448474308db466a94ab2daec1308edcc98fee11d': (
        [{'id': 'unrolled-shape-whh',
          'skill': 'figures',
          'title': 'Shape of W_hh read off a figure',
          'difficulty': 1,
          'params': {'m': [2, 9], 'n': [2, 9], 'p': [2, 9], 'T': 3},
          'question': 'The figure shows an RNN folded (left) and unrolled over 3 steps (right); every '
                      "arrow carries its matrix's name and shape, except the highlighted recurrent "
                      'arrows, whose shape is drawn as ?. What is the shape of the matrix on the '
                      'highlighted arrows?',
          'hints': ['Which vector does it read, and which does it write? Read their sizes off the '
                    'other arrows.'],
          'ask': {'quantity': 'shape', 'tensor': 'W_hh'},
          'figure': {'kind': 'unrolled',
                     'highlight': 'W_hh',
                     'hide': ['W_hh'],
                     'text': 'An RNN has {m} inputs, {n} hidden neurons and {p} outputs, and W_xh is '
                             '({n}, {m}). What is the shape of W_hh, the matrix on the recurrent '
                             'arrows h_(t-1) -> h_t?'}},
         {'id': 'unrolled-shape-why',
          'skill': 'figures',
          'title': 'Shape of W_hy read off a figure',
          'difficulty': 2,
          'params': {'m': [2, 9], 'n': [2, 9], 'p': [2, 9], 'T': 3},
          'question': 'The figure shows an RNN folded (left) and unrolled over 3 steps (right); every '
                      "arrow carries its matrix's name and shape, except the highlighted output "
                      'arrows, whose shape is drawn as ?. What is the shape of the matrix on the '
                      'highlighted arrows?',
          'hints': ['The output bias b_y has one entry per output; W_hy reads h_t and writes y_t.'],
          'ask': {'quantity': 'shape', 'tensor': 'W_hy'},
          'figure': {'kind': 'unrolled',
                     'highlight': 'W_hy',
                     'hide': ['W_hy'],
                     'text': 'An RNN has {m} inputs, {n} hidden neurons and {p} outputs, and W_xh is '
                             '({n}, {m}). What is the shape of W_hy, the matrix on the arrows h_t -> '
                             'y_t?'}},
         {'id': 'unrolled-applications',
          'skill': 'figures',
          'title': 'How often W_hh is applied, from a figure',
          'difficulty': 1,
          'params': {'m': [2, 9], 'n': [2, 9], 'p': [2, 9], 'T': [3, 8]},
          'question': 'The figure shows an RNN (h_0 = 0) folded and unrolled over the T = {T} steps of '
                      'one sequence. How many times is the matrix on the highlighted arrows applied in '
                      'one forward pass?',
          'hints': ['Count the steps at which h_(t-1) is multiplied, the first one (from h_0) '
                    'included.'],
          'ask': {'quantity': 'recurrent_applications'},
          'figure': {'kind': 'unrolled',
                     'highlight': 'W_hh',
                     'text': 'An RNN (h_0 = 0) with {m} inputs and {n} hidden neurons processes a '
                             'sequence of T = {T} steps. How many times is W_hh applied in one forward '
                             'pass?'}},
         {'id': 'grid-recurrent-weights',
          'skill': 'figures',
          'title': "Counting W_hh's connections in a grid",
          'difficulty': 1,
          'params': {'m': [2, 6], 'n': [2, 6]},
          'question': 'The figure draws every connection into the hidden neurons of one RNN layer '
                      '(left) and the same weights as a matrix (right). How many weights does the '
                      'highlighted block, the connections from the previous hidden state h(t-1), hold?',
          'hints': ['Each hidden neuron receives one connection from each previous hidden neuron.'],
          'ask': {'quantity': 'parameters', 'tensor': 'W_hh'},
          'figure': {'kind': 'grid',
                     'highlight': 'W_hh',
                     'hide': ['W_xh', 'W_hh', 'biases'],
                     'text': 'An RNN layer has {m} inputs and {n} hidden neurons. How many weights '
                             'connect the previous hidden state h_(t-1) to the hidden neurons (the '
                             'entries of W_hh)?'}},
         {'id': 'grid-input-weights',
          'skill': 'figures',
          'title': "Counting W_xh's connections in a grid",
          'difficulty': 1,
          'params': {'m': [2, 6], 'n': [2, 6]},
          'question': 'The figure draws every connection into the hidden neurons of one RNN layer '
                      '(left) and the same weights as a matrix (right). How many weights does the '
                      'highlighted block, the connections from the inputs x_t, hold?',
          'hints': ['Each hidden neuron receives one connection from each input.'],
          'ask': {'quantity': 'parameters', 'tensor': 'W_xh'},
          'figure': {'kind': 'grid',
                     'highlight': 'W_xh',
                     'hide': ['W_xh', 'W_hh', 'biases'],
                     'text': 'An RNN layer has {m} inputs and {n} hidden neurons. How many weights '
                             'connect the inputs x_t to the hidden neurons (the entries of W_xh)?'}},
         {'id': 'unrolled-shape-keras-kernel',
          'skill': 'figures',
          'title': 'Shape of a Keras kernel read off a figure',
          'difficulty': 2,
          'params': {'m': [2, 9], 'n': [2, 9], 'p': [2, 9], 'T': 3, 'convention': 'keras'},
          'question': 'The figure shows a Keras SimpleRNN followed by a Dense layer, folded and '
                      "unrolled over 3 steps, every arrow labelled with its weight's name and shape as "
                      'Keras stores it, except the highlighted input arrows, whose shape is drawn as '
                      '?. What is the shape of the weight on the highlighted arrows?',
          'hints': ['Keras stores a kernel as (inputs, units): x_t times the kernel.'],
          'ask': {'quantity': 'shape', 'tensor': 'simple_rnn/kernel'},
          'figure': {'kind': 'unrolled',
                     'highlight': 'W_xh',
                     'hide': ['W_xh'],
                     'text': 'A Keras SimpleRNN({n}) reads inputs of {m} features and a Dense({p}) '
                             'layer follows it. What is the shape of simple_rnn/kernel as Keras stores '
                             'it?'}},
         {'id': 'unrolled-shape-pytorch-lstm',
          'skill': 'figures',
          'title': "Shape of a PyTorch LSTM's weight_hh_l0 read off a figure",
          'difficulty': 2,
          'params': {'m': [2, 9],
                     'n': [2, 9],
                     'p': [2, 9],
                     'T': 3,
                     'cell': 'lstm',
                     'convention': 'pytorch'},
          'question': 'The figure shows a PyTorch LSTM followed by a Linear layer, folded and unrolled '
                      "over 3 steps, every arrow labelled with its tensor's name and shape as PyTorch "
                      'stores it, except the highlighted recurrent arrows, whose shape is drawn as ?. '
                      'What is the shape of the tensor on the highlighted arrows?',
          'hints': ["PyTorch stacks the 4 gates' blocks in one tensor of shape (rows of all gates, "
                    'columns).'],
          'ask': {'quantity': 'shape', 'tensor': 'weight_hh_l0'},
          'figure': {'kind': 'unrolled',
                     'highlight': 'W_hh',
                     'hide': ['W_hh'],
                     'text': 'A PyTorch nn.LSTM(input_size={m}, hidden_size={n}) is followed by '
                             'nn.Linear({n}, {p}). What is the shape of weight_hh_l0?'}}]
    ),
    # forward.yaml
    '41c48e56b5a6ad380539a65d6ae0f408cf2e842b': (
        [{'id': 'forward-h1',
          'skill': 'forward',
          'title': '3:1:1 network: h_1 by hand',
          'difficulty': 2,
          'params': {'m': 3, 'n': 1, 'p': 1, 'T': 2, 'bias': False, 'activation': 'sigmoid'},
          'question': 'A 3:1:1 RNN without biases uses the sigmoid in its hidden and output units, '
                      'with h_0 = 0: h_t = sig(W_xh · x_t + W_hh · h_(t-1)), y_t = sig(W_hy · h_t). '
                      'Its weights are W_xh = {W_xh}, W_hh = {W_hh}, W_hy = {W_hy}; the inputs are x_1 '
                      '= {x_1} and x_2 = {x_2}. Compute h_1 to 3 decimal places.',
          'hints': ['h_0 = 0, so the recurrent term is 0 at t = 1.'],
          'ask': {'quantity': 'forward', 'of': 'h_1', 'decimals': 3}},
         {'id': 'forward-h2',
          'skill': 'forward',
          'title': '3:1:1 network: h_2 by hand',
          'difficulty': 3,
          'params': {'m': 3, 'n': 1, 'p': 1, 'T': 2, 'bias': False, 'activation': 'sigmoid'},
          'question': 'A 3:1:1 RNN without biases, sigmoid units, h_0 = 0: h_t = sig(W_xh · x_t + W_hh '
                      '· h_(t-1)), y_t = sig(W_hy · h_t). W_xh = {W_xh}, W_hh = {W_hh}, W_hy = {W_hy}; '
                      'x_1 = {x_1}, x_2 = {x_2}. Compute h_2 to 3 decimal places.',
          'hints': ['Compute h_1 first: the same weights are used at both steps.'],
          'ask': {'quantity': 'forward', 'of': 'h_2', 'decimals': 3}},
         {'id': 'forward-y2',
          'skill': 'forward',
          'title': '3:1:1 network: y_2 by hand',
          'difficulty': 3,
          'params': {'m': 3, 'n': 1, 'p': 1, 'T': 2, 'bias': False, 'activation': 'sigmoid'},
          'question': 'A 3:1:1 RNN without biases, sigmoid units, h_0 = 0: h_t = sig(W_xh · x_t + W_hh '
                      '· h_(t-1)), y_t = sig(W_hy · h_t). W_xh = {W_xh}, W_hh = {W_hh}, W_hy = {W_hy}; '
                      'x_1 = {x_1}, x_2 = {x_2}. Compute the output y_2 to 3 decimal places.',
          'hints': ['Compute h_1, then h_2 (it uses h_1 through W_hh), then y_2 = sig(W_hy · h_2).'],
          'ask': {'quantity': 'forward', 'of': 'y_2', 'decimals': 3}}]
    ),
    # gated.yaml
    'b8c332e73239f0503a79bb84e8ac3c061f164de3': (
        [{'id': 'lstm-total-textbook',
          'skill': 'gated',
          'title': 'Parameters of an LSTM layer (one bias per gate)',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'cell': 'lstm'},
          'question': 'An LSTM layer has {m} inputs and {n} hidden units. Each of its four gates '
                      '(input, forget, candidate, output) has its own input weights, recurrent weights '
                      'and one bias vector. How many parameters does the layer have (no output layer)?',
          'hints': ['One gate: n·m + n·n + n. There are 4.'],
          'ask': {'quantity': 'total'}},
         {'id': 'gru-total-textbook',
          'skill': 'gated',
          'title': 'Parameters of a GRU layer (one bias per gate)',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'cell': 'gru'},
          'question': 'A GRU layer (reset gate, update gate, candidate state; one bias vector each) '
                      'has {m} inputs and {n} hidden units. How many parameters does it have?',
          'hints': ['One gate block: n·m + n·n + n. How many blocks does a GRU have?'],
          'ask': {'quantity': 'total'}},
         {'id': 'lstm-total-pytorch',
          'skill': 'gated',
          'title': 'torch.nn.LSTM parameter count',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'cell': 'lstm', 'convention': 'pytorch'},
          'question': 'How many parameters does torch.nn.LSTM(input_size={m}, hidden_size={n}) have?',
          'hints': ['PyTorch keeps two bias vectors per gate block: bias_ih and bias_hh.'],
          'ask': {'quantity': 'total'}},
         {'id': 'gru-total-pytorch',
          'skill': 'gated',
          'title': 'torch.nn.GRU parameter count',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'cell': 'gru', 'convention': 'pytorch'},
          'question': 'How many parameters does torch.nn.GRU(input_size={m}, hidden_size={n}) have?',
          'hints': ['torch.nn.GRU stacks three gate blocks (r, z, n) and keeps two bias vectors per '
                    'block: bias_ih and bias_hh.'],
          'ask': {'quantity': 'total'}},
         {'id': 'lstm-weight-ih-shape',
          'skill': 'gated',
          'title': 'Shape of weight_ih_l0 in a PyTorch LSTM',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'cell': 'lstm', 'convention': 'pytorch'},
          'question': 'What is the shape of weight_ih_l0 in torch.nn.LSTM(input_size={m}, '
                      'hidden_size={n})?',
          'hints': ['The four gate blocks (i, f, g, o) are stacked along the rows.'],
          'ask': {'quantity': 'shape', 'tensor': 'weight_ih_l0'}},
         {'id': 'stacked-rnn-pytorch',
          'skill': 'gated',
          'title': 'A stacked torch.nn.RNN',
          'difficulty': 3,
          'params': {'m': [2, 60], 'n': [2, 100], 'layers': [2, 3], 'convention': 'pytorch'},
          'question': 'How many parameters does torch.nn.RNN(input_size={m}, hidden_size={n}, '
                      'num_layers={layers}) have?',
          'hints': ['Layers after the first read the {n} outputs of the layer below, not the {m} '
                    'inputs.'],
          'ask': {'quantity': 'total'}},
         {'id': 'bidirectional-lstm-pytorch',
          'skill': 'gated',
          'title': 'A bidirectional torch.nn.LSTM',
          'difficulty': 3,
          'params': {'m': [2, 60],
                     'n': [2, 100],
                     'cell': 'lstm',
                     'convention': 'pytorch',
                     'bidirectional': True},
          'question': 'How many parameters does torch.nn.LSTM(input_size={m}, hidden_size={n}, '
                      'bidirectional=True) have?',
          'hints': ['A bidirectional layer is two complete LSTMs, one per direction, both reading the '
                    'same inputs.'],
          'ask': {'quantity': 'total'}},
         {'id': 'bidirectional-rnn-head',
          'skill': 'gated',
          'title': 'Bidirectional RNN with an output layer',
          'difficulty': 3,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20], 'bidirectional': True},
          'question': 'A bidirectional RNN (textbook cells, one bias each) has {m} inputs and {n} '
                      'hidden neurons in each direction; an output layer of {p} neurons (with bias) '
                      'reads both directions. How many parameters in all?',
          'hints': ['Each direction has its own W_xh, W_hh and b_h; the output layer reads the hidden '
                    'states of both directions.'],
          'ask': {'quantity': 'total'}},
         {'id': 'stacked-bigru-keras',
          'skill': 'gated',
          'title': 'Two stacked bidirectional Keras GRUs',
          'difficulty': 3,
          'params': {'m': [2, 40],
                     'n': [2, 64],
                     'cell': 'gru',
                     'convention': 'keras',
                     'layers': 2,
                     'bidirectional': True},
          'question': 'A Keras model stacks Bidirectional(GRU({n}, return_sequences=True)) twice on '
                      'inputs of {m} features (Keras 3 defaults, reset_after=True). How many '
                      'parameters do the two layers have?',
          'hints': ['The second layer reads the outputs of both directions of the first, not the input '
                    'features; a Keras GRU with reset_after=True keeps two bias rows.'],
          'ask': {'quantity': 'total'}}]
    ),
    # inverse.yaml
    'c77c7c4bb6eb0386d805ff7c23efedd28305fef8': (
        [{'id': 'inverse-n',
          'skill': 'inverse',
          'title': 'Find the hidden size from the total',
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'An RNN with {m} inputs and {p} outputs has {total} parameters, biases included '
                      '(textbook: W_xh, W_hh, b_h, W_hy, b_y). How many hidden neurons does it have?',
          'hints': ['Write the total as a function of n: n·m + n·n + n + p·n + p, and solve.'],
          'ask': {'quantity': 'size', 'of': 'n', 'bias': True}},
         {'id': 'inverse-n-no-bias',
          'skill': 'inverse',
          'title': 'Find the hidden size, no bias',
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20], 'bias': False},
          'question': 'A bias-free RNN with {m} inputs and {p} outputs has {total} weights. How many '
                      'hidden neurons does it have?',
          'hints': ['Write the weights as a function of n: n·m + n·n + p·n; set it equal to the total '
                    'and solve.'],
          'ask': {'quantity': 'size', 'of': 'n', 'bias': False}},
         {'id': 'inverse-m',
          'skill': 'inverse',
          'title': 'Find the input size from the total',
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'An RNN has {n} hidden neurons, {p} outputs and {total} parameters with biases '
                      '(textbook convention). How many inputs does it have?',
          'hints': ['With n and p known the count is linear in m: n·m + n·n + n + p·n + p = total.'],
          'ask': {'quantity': 'size', 'of': 'm', 'bias': True}},
         {'id': 'inverse-n-pytorch-lstm',
          'skill': 'inverse',
          'title': 'hidden_size of a PyTorch LSTM from its count',
          'difficulty': 3,
          'params': {'m': [2, 40], 'n': [2, 64], 'cell': 'lstm', 'convention': 'pytorch'},
          'question': 'sum(p.numel() for p in torch.nn.LSTM(input_size={m}, '
                      'hidden_size=H).parameters()) is {total}. What is H?',
          'hints': ['PyTorch LSTM: 4·(H·m + H·H + 2H).'],
          'ask': {'quantity': 'size', 'of': 'n'}}]
    ),
    # models.yaml
    '0522f5001069ca923ae8ac0eadd880bf19945b05': (
        [{'id': 'model-total-keras',
          'skill': 'models',
          'title': 'Parameters of an Embedding + recurrent + Dense model (Keras)',
          'difficulty': 2,
          'params': {'V': {'choices': [1000, 2000, 5000, 10000, 20000]},
                     'd': {'choices': [8, 16, 32, 50, 64, 100]},
                     'cell': {'choices': ['SimpleRNN', 'LSTM', 'GRU']},
                     'u': [8, 128],
                     'k': [2, 10],
                     'T': [10, 200]},
          'model': 'Embedding({V}, {d}, input_length={T}) > {cell}({u}) > Dense({k}, '
                   "activation='softmax')",
          'question': 'How many parameters (trainable and non-trainable) does this Keras 3 model have '
                      'in total? {model}',
          'hints': ['An Embedding is a table: one row of d numbers per word of the vocabulary.',
                    'Count each layer on the width it receives, then add.'],
          'ask': {'quantity': 'model_total'}},
         {'id': 'model-total-pytorch',
          'skill': 'models',
          'title': 'Parameters of an Embedding + recurrent + Linear model (PyTorch)',
          'difficulty': 2,
          'params': {'V': {'choices': [1000, 2000, 5000, 10000]},
                     'd': {'choices': [16, 32, 50, 64, 100]},
                     'cell': {'choices': ['RNN', 'LSTM', 'GRU']},
                     'u': [8, 128],
                     'k': [2, 10]},
          'model': 'nn.Embedding({V}, {d}) > nn.{cell}({d}, {u}, batch_first=True) > nn.Linear({u}, '
                   '{k})',
          'question': 'How many parameters does this PyTorch model have, summed over '
                      'model.parameters()? {model}',
          'hints': ['torch.nn recurrent layers keep two bias vectors per gate block: bias_ih and '
                    'bias_hh.'],
          'ask': {'quantity': 'model_total'}},
         {'id': 'model-layer-keras',
          'skill': 'models',
          'title': 'Parameters of one layer of a Keras model',
          'difficulty': 2,
          'params': {'V': {'choices': [500, 1000, 5000]},
                     'd': {'choices': [16, 32, 64]},
                     'cell': {'choices': ['LSTM', 'GRU']},
                     'u': [8, 96],
                     'k': [2, 10]},
          'model': 'Embedding({V}, {d}) > {cell}({u}) > Dense({k})',
          'question': 'In the Keras 3 model {model}, how many parameters does the {cell} layer have?',
          'hints': ["The recurrent layer reads the Embedding's d features at each step."],
          'ask': {'quantity': 'layer_parameters', 'layer': 2}},
         {'id': 'model-embedding-layer',
          'skill': 'models',
          'title': 'Parameters of an Embedding layer',
          'difficulty': 1,
          'params': {'V': [200, 30000], 'd': [8, 300], 'u': [8, 64]},
          'model': 'nn.Embedding({V}, {d}) > nn.GRU({d}, {u})',
          'question': 'In the PyTorch model {model}, how many parameters does the nn.Embedding layer '
                      'have?',
          'hints': ['The Embedding is a lookup table: one vector per word.'],
          'ask': {'quantity': 'layer_parameters', 'layer': 1}},
         {'id': 'model-return-sequences-true',
          'skill': 'models',
          'title': 'Output shape with return_sequences=True (Keras)',
          'difficulty': 1,
          'params': {'T': [5, 100],
                     'm': [2, 64],
                     'cell': {'choices': ['SimpleRNN', 'LSTM', 'GRU']},
                     'u': [4, 128]},
          'model': 'Input(shape=({T}, {m})) > {cell}({u}, return_sequences=True)',
          'question': 'Keras 3: {model}. Leaving out the batch axis (None), what is the shape of the '
                      "{cell} layer's output?",
          'hints': ['return_sequences decides whether the layer returns one output or one per step.'],
          'ask': {'quantity': 'output_shape', 'layer': 1}},
         {'id': 'model-return-sequences-false',
          'skill': 'models',
          'title': 'Output shapes of a stacked model (Keras)',
          'difficulty': 2,
          'params': {'T': [5, 100], 'm': [2, 64], 'u': [4, 128], 'w': [4, 128]},
          'distinct': ['u', 'w'],
          'model': 'Input(shape=({T}, {m})) > LSTM({u}, return_sequences=True) > GRU({w})',
          'question': 'Keras 3: {model}. Leaving out the batch axis (None), what is the shape of the '
                      "GRU layer's output?",
          'hints': ['The GRU is written without return_sequences: what is its default?'],
          'ask': {'quantity': 'output_shape', 'layer': 2}},
         {'id': 'model-bidirectional-merge',
          'skill': 'models',
          'title': 'Bidirectional output width, concat versus sum (Keras)',
          'difficulty': 2,
          'params': {'T': [5, 60], 'm': [2, 64], 'u': [4, 128], 'mode': {'choices': ['concat', 'sum']}},
          'model': 'Input(shape=({T}, {m})) > Bidirectional(LSTM({u}, return_sequences=True), '
                   "merge_mode='{mode}')",
          'question': 'Keras 3: {model}. Leaving out the batch axis (None), what is the shape of the '
                      "Bidirectional layer's output?",
          'hints': ['merge_mode says how the forward and the backward outputs are combined.'],
          'ask': {'quantity': 'output_shape', 'layer': 1}},
         {'id': 'model-h-n-pytorch',
          'skill': 'models',
          'title': 'Shape of h_n (PyTorch)',
          'difficulty': 2,
          'params': {'m': [2, 64],
                     'n': [4, 128],
                     'L': [1, 3],
                     'bi': {'choices': [True, False]},
                     'batch': [2, 64],
                     'T': [5, 50]},
          'model': 'nn.LSTM({m}, {n}, num_layers={L}, bidirectional={bi}, batch_first=True)',
          'question': 'x = torch.randn({batch}, {T}, {m}); out, (h_n, c_n) = lstm(x) with lstm = '
                      '{model}. What is the shape of h_n?',
          'hints': ['h_n holds the last hidden state of every layer and direction.'],
          'ask': {'quantity': 'output_shape', 'layer': 1, 'of': 'h_n'}},
         {'id': 'model-c-n-pytorch',
          'skill': 'models',
          'title': 'Shape of c_n (PyTorch)',
          'difficulty': 2,
          'params': {'m': [2, 64], 'n': [4, 128], 'L': [2, 3], 'batch': [2, 64], 'T': [5, 50]},
          'model': 'nn.LSTM({m}, {n}, num_layers={L}, batch_first=True)',
          'question': 'x = torch.randn({batch}, {T}, {m}); out, (h_n, c_n) = lstm(x) with lstm = '
                      '{model}. What is the shape of c_n?',
          'hints': ["c_n is the LSTM's cell state after the last step."],
          'ask': {'quantity': 'output_shape', 'layer': 1, 'of': 'c_n'}},
         {'id': 'model-output-pytorch',
          'skill': 'models',
          'title': "Shape of a PyTorch recurrent layer's output",
          'difficulty': 1,
          'params': {'m': [2, 64],
                     'n': [4, 128],
                     'cell': {'choices': ['RNN', 'LSTM', 'GRU']},
                     'first': {'choices': [True, False]},
                     'batch': [2, 64],
                     'T': [5, 50]},
          'distinct': ['batch', 'T'],
          'model': 'nn.{cell}({m}, {n}, batch_first={first})',
          'question': 'rnn = {model}. It receives a batch of {batch} sequences of {T} steps, laid out '
                      'as batch_first={first} expects. What is the shape of out in out, h_n = rnn(x)?',
          'hints': ["out holds the top layer's hidden state at every step."],
          'ask': {'quantity': 'output_shape', 'layer': 1}},
         {'id': 'model-linear-in-features',
          'skill': 'models',
          'title': 'in_features of a Linear after a bidirectional LSTM (PyTorch)',
          'difficulty': 2,
          'params': {'V': {'choices': [1000, 5000, 10000]},
                     'd': {'choices': [32, 64, 100]},
                     'n': {'choices': [16, 32, 64, 128]},
                     'f': {'choices': [32, 64, 128, 256]},
                     'k': [2, 10]},
          'model': 'nn.Embedding({V}, {d}) > nn.LSTM({d}, {n}, bidirectional=True, batch_first=True) > '
                   'nn.Linear({f}, {k})',
          'question': 'nn.Embedding({V}, {d}) > nn.LSTM({d}, {n}, bidirectional=True, '
                      "batch_first=True) > nn.Linear(in_features, {k}): the Linear reads the LSTM's "
                      'output at every step. What must in_features be?',
          'hints': ["What does each step of a bidirectional LSTM's output hold?"],
          'ask': {'quantity': 'in_features', 'layer': 3}},
         {'id': 'model-dense-after-bidirectional',
          'skill': 'models',
          'title': 'Parameters of the Dense after a Bidirectional layer (Keras)',
          'difficulty': 2,
          'params': {'T': [5, 60], 'm': [2, 64], 'u': [4, 64], 'k': [2, 10]},
          'model': 'Input(shape=({T}, {m})) > Bidirectional(GRU({u})) > Dense({k})',
          'question': 'Keras 3: {model}. How many parameters does the Dense layer have?',
          'hints': ['How many features does the Bidirectional layer pass on?'],
          'ask': {'quantity': 'layer_parameters', 'layer': 2}},
         {'id': 'model-dense-3d-shape',
          'skill': 'models',
          'title': 'Dense on a sequence (Keras)',
          'difficulty': 2,
          'params': {'T': [5, 60], 'm': [2, 64], 'u': [4, 64], 'k': [2, 10]},
          'model': 'Input(shape=({T}, {m})) > GRU({u}, return_sequences=True) > Dense({k})',
          'question': 'Keras 3: {model}. Leaving out the batch axis (None), what is the shape of the '
                      "Dense layer's output?",
          'hints': ['Dense acts on the last axis of what it receives.'],
          'ask': {'quantity': 'output_shape', 'layer': 2}},
         {'id': 'model-dense-3d-parameters',
          'skill': 'models',
          'title': 'Parameters of a Dense on a sequence (Keras)',
          'difficulty': 2,
          'params': {'T': [5, 60], 'm': [2, 64], 'u': [4, 64], 'k': [2, 10]},
          'model': 'Input(shape=({T}, {m})) > LSTM({u}, return_sequences=True) > Dense({k})',
          'question': 'Keras 3: {model}. How many parameters does the Dense layer have?',
          'hints': ['Dense acts on the last axis of what it receives, the same weights at every step.'],
          'ask': {'quantity': 'layer_parameters', 'layer': 2}},
         {'id': 'model-batchnorm-total',
          'skill': 'models',
          'title': 'Total of a model with BatchNormalization (Keras)',
          'difficulty': 3,
          'params': {'T': [5, 60], 'm': [2, 64], 'u': [4, 64], 'k': [2, 10]},
          'model': 'Input(shape=({T}, {m})) > LSTM({u}) > BatchNormalization() > Dense({k})',
          'question': 'Keras 3: {model}. What total does model.summary() print ("Total params")?',
          'hints': ['BatchNormalization keeps four vectors per feature; two of them are not trained.'],
          'ask': {'quantity': 'model_total'}},
         {'id': 'model-embedding-share',
          'skill': 'models',
          'title': "The Embedding's share of a model's parameters",
          'difficulty': 2,
          'params': {'V': {'choices': [1000, 2000, 5000, 10000]},
                     'd': {'choices': [16, 32, 64, 100]},
                     'cell': {'choices': ['LSTM', 'GRU']},
                     'u': [16, 128],
                     'k': [2, 10]},
          'model': 'Embedding({V}, {d}) > {cell}({u}) > Dense({k})',
          'question': "Keras 3: {model}. What percentage of the model's parameters are in the "
                      'Embedding? Give it to 1 decimal place.',
          'hints': ["Count every layer, then divide the Embedding's count by the total."],
          'ask': {'quantity': 'embedding_share', 'decimals': 1}},
         {'id': 'model-largest-layer',
          'skill': 'models',
          'title': 'Which layer holds the most parameters?',
          'difficulty': 2,
          'params': {'V': [50, 3000],
                     'd': {'choices': [8, 16, 32, 64]},
                     'cell': {'choices': ['LSTM', 'GRU']},
                     'u': [16, 128],
                     'k': [2, 200]},
          'model': 'Embedding({V}, {d}) > {cell}({u}) > Dense({k})',
          'question': 'Keras 3: {model}. Which layer holds the most parameters?',
          'hints': ["Work out each layer's count; the largest is not always the recurrent one."],
          'ask': {'quantity': 'largest_layer', 'format': 'choice'}}]
    ),
    # shapes.yaml
    'f419279b52adf4f4f87db60fda2d41a1dba2a9f0': (
        [{'id': 'shape-wxh',
          'skill': 'shapes',
          'title': 'Shape of the input-to-hidden matrix W_xh',
          'difficulty': 1,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'An RNN has an input layer of {m} neurons, a hidden layer of {n} neurons and an '
                      'output layer of {p} neurons. The hidden state is computed as h_t = tanh(W_xh '
                      'x_t + W_hh h_(t-1) + b_h), with column vectors. What is the shape (rows, '
                      'columns) of W_xh?',
          'hints': ["W_xh x_t must give a vector of the hidden layer's size, and it multiplies x_t.",
                    'Rows: one per value the product gives. Columns: one per entry of the vector it '
                    'multiplies.'],
          'ask': {'quantity': 'shape', 'tensor': 'W_xh'}},
         {'id': 'shape-whh',
          'skill': 'shapes',
          'title': 'Shape of the hidden-to-hidden matrix W_hh',
          'difficulty': 1,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'An RNN has {m} inputs, {n} hidden neurons and {p} outputs; h_t = tanh(W_xh x_t '
                      '+ W_hh h_(t-1) + b_h) with column vectors. What is the shape of W_hh?',
          'hints': ['W_hh maps the previous hidden state to the new one.'],
          'ask': {'quantity': 'shape', 'tensor': 'W_hh'}},
         {'id': 'shape-why',
          'skill': 'shapes',
          'title': 'Shape of the hidden-to-output matrix W_hy',
          'difficulty': 1,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'An RNN has an input layer of {m} neurons, a hidden layer of {n} and an output '
                      'layer of {p}; y_t = W_hy h_t + b_y with column vectors. What is the shape of '
                      'W_hy?',
          'hints': ['W_hy h_t must have one entry per output neuron.'],
          'ask': {'quantity': 'shape', 'tensor': 'W_hy'}},
         {'id': 'shape-bias-h',
          'skill': 'shapes',
          'title': 'Shape of the hidden bias b_h',
          'difficulty': 1,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'An RNN with {m} inputs, {n} hidden neurons and {p} outputs computes h_t = '
                      'tanh(W_xh x_t + W_hh h_(t-1) + b_h). What is the shape of b_h?',
          'hints': ['One bias per hidden neuron.'],
          'ask': {'quantity': 'shape', 'tensor': 'b_h'}},
         {'id': 'shape-u-goodfellow',
          'skill': 'shapes',
          'title': "Shape of U in Goodfellow's notation",
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'In the notation of Goodfellow et al. (ch. 10), a(t) = b + W h(t-1) + U x(t), '
                      'h(t) = tanh(a(t)), o(t) = c + V h(t). The input has {m} features, the hidden '
                      'layer {n} units and the output {p} units. What is the shape of U?',
          'hints': ['U multiplies the input x(t); its product is added to W h(t-1).'],
          'ask': {'quantity': 'shape', 'tensor': 'U'}},
         {'id': 'shape-v-goodfellow',
          'skill': 'shapes',
          'title': "Shape of V in Goodfellow's notation",
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'Goodfellow et al.: a(t) = b + W h(t-1) + U x(t), h(t) = tanh(a(t)), o(t) = c + '
                      'V h(t), with {m} input features, {n} hidden units and {p} outputs. What is the '
                      'shape of V?',
          'hints': ['V turns h(t) into o(t): one row per value it produces, one column per value it '
                    'multiplies.'],
          'ask': {'quantity': 'shape', 'tensor': 'V'}},
         {'id': 'shape-w-goodfellow',
          'skill': 'shapes',
          'title': "Shape of W in Goodfellow's notation",
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'Goodfellow et al.: a(t) = b + W h(t-1) + U x(t), o(t) = c + V h(t), with {m} '
                      'input features, {n} hidden units and {p} outputs. What is the shape of W?',
          'hints': ['W multiplies h(t-1), and its product is added to the hidden pre-activation a(t).'],
          'ask': {'quantity': 'shape', 'tensor': 'W'}},
         {'id': 'shape-wxh-karpathy',
          'skill': 'shapes',
          'title': 'Shape of Wxh in min-char-rnn',
          'difficulty': 1,
          'params': {'m': {'choices': [26, 27, 52, 65, 96]},
                     'n': {'choices': [64, 100, 128, 256]},
                     'p': {'same_as': 'm'}},
          'question': "Karpathy's min-char-rnn reads one-hot characters from a vocabulary of {m} "
                      'symbols, has {n} hidden units and predicts the next character of the same '
                      'vocabulary ({p} scores): h = tanh(Wxh x + Whh h + bh), y = Why h + by. What is '
                      'the shape of Wxh (numpy, rows first)?',
          'hints': ['In numpy, np.dot(Wxh, x) must give one value per hidden unit; x is one-hot over '
                    'the vocabulary.'],
          'ask': {'quantity': 'shape', 'tensor': 'Wxh'}},
         {'id': 'shape-why-karpathy',
          'skill': 'shapes',
          'title': 'Shape of Why in min-char-rnn',
          'difficulty': 1,
          'params': {'m': {'choices': [26, 27, 52, 65, 96]},
                     'n': {'choices': [64, 100, 128, 256]},
                     'p': {'same_as': 'm'}},
          'question': 'In min-char-rnn, h = tanh(Wxh x + Whh h + bh) and y = Why h + by: the network '
                      'reads one-hot characters from a vocabulary of {m} symbols, has {n} hidden units '
                      'and gives a score to each of the {p} symbols of that vocabulary. What is the '
                      'shape of Why?',
          'hints': ['min-char-rnn scores every character of the vocabulary it reads: np.dot(Why, h) '
                    'gives those scores.'],
          'ask': {'quantity': 'shape', 'tensor': 'Why'}},
         {'id': 'shape-wax-dlai',
          'skill': 'shapes',
          'title': 'Shape of Wax (deeplearning.ai notation)',
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'In the deeplearning.ai notation a<t> = tanh(Waa a<t-1> + Wax x<t> + ba) and '
                      'y<t> = softmax(Wya a<t> + by). With n_x = {m}, n_a = {n} and n_y = {p}, what is '
                      'the shape of Wax?',
          'hints': ['Wax multiplies x<t>, which has n_x entries, and must produce n_a values.'],
          'ask': {'quantity': 'shape', 'tensor': 'Wax'}},
         {'id': 'shape-figure-a',
          'skill': 'shapes',
          'title': 'Shape of the input matrix A in a figure',
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'A lecture figure draws an RNN whose {m} inputs reach its {n} hidden neurons '
                      'through a matrix A (so the hidden pre-activation contains A x_t, column '
                      'vectors), and whose hidden layer feeds {p} outputs. What is the shape of A?',
          'hints': ['A x_t is added to the hidden pre-activation, so A gives one value per hidden '
                    'neuron.'],
          'ask': {'quantity': 'shape', 'tensor': 'A'}},
         {'id': 'shape-wxh-row-vectors',
          'skill': 'shapes',
          'title': 'W_xh in a row-vector course (x W)',
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20], 'layout': 'in-out'},
          'question': 'A course writes the RNN with row vectors, as d2l.ai does: H_t = tanh(X_t W_xh + '
                      'H_(t-1) W_hh + b_h), where X_t is (batch, {m}) and H_t is (batch, {n}); the '
                      'output layer has {p} units. What is the shape of W_xh?',
          'hints': ['X_t W_xh must be (batch, {n}); X_t is (batch, {m}).'],
          'ask': {'quantity': 'shape', 'tensor': 'W_xh'}},
         {'id': 'shape-choice-wxh',
          'skill': 'shapes',
          'title': 'Which shape is W_xh? (multiple choice)',
          'difficulty': 1,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20]},
          'question': 'An RNN has {m} inputs, {n} hidden neurons and {p} outputs, h_t = tanh(W_xh x_t '
                      '+ W_hh h_(t-1) + b_h) with column vectors. Which is the shape of W_xh?',
          'hints': ['W_xh x_t must give one value per hidden neuron; x_t has one entry per input.'],
          'ask': {'quantity': 'shape', 'tensor': 'W_xh', 'format': 'choice'}}]
    ),
    # time.yaml
    'ded987fe73e852627e691aec0fed8cf3276ff2eb': (
        [{'id': 't-changes-count',
          'skill': 'time',
          'title': 'Does T change the count?',
          'difficulty': 1,
          'params': {'m': [2, 60], 'n': [2, 100], 'p': [2, 30], 'T': [5, 200]},
          'question': 'An RNN with {m} inputs, {n} hidden neurons and {p} outputs is applied to '
                      'sequences of length T = {T}. Does doubling T change the number of parameters? '
                      '(yes/no)',
          'hints': ['Are the weights used at step 2 different from those used at step 1?'],
          'ask': {'quantity': 'T_changes_count'}},
         {'id': 'activation-changes-count',
          'skill': 'time',
          'title': 'Does the activation change the count?',
          'difficulty': 1,
          'params': {'m': [2, 60],
                     'n': [2, 100],
                     'p': [2, 30],
                     'activation': {'choices': ['tanh', 'sigmoid', 'relu']}},
          'question': 'An RNN with {m} inputs, {n} hidden neurons and {p} outputs uses {activation} in '
                      'its hidden layer. Would switching to another activation function change the '
                      'number of parameters? (yes/no)',
          'hints': ['Do tanh, sigmoid or ReLU have any weights of their own?'],
          'ask': {'quantity': 'activation_changes_count'}},
         {'id': 'unroll-sentence',
          'skill': 'time',
          'title': 'Unrolling a sentence',
          'difficulty': 1,
          'params': {'m': [50, 300], 'n': [16, 256], 'T': [4, 30]},
          'question': 'A sentence of {T} words is fed to an RNN one word embedding ({m} numbers) at a '
                      'time. Into how many time steps (copies of the cell) does the network unroll?',
          'hints': ['The cell is applied once per word, always with the same weights.'],
          'ask': {'quantity': 'steps'}},
         {'id': 'whh-applications',
          'skill': 'time',
          'title': 'How often W_hh is applied',
          'difficulty': 1,
          'params': {'m': [2, 60], 'n': [2, 100], 'T': [3, 50]},
          'question': 'An RNN (h_0 = 0) processes a sequence of T = {T} steps: h_t = tanh(W_xh x_t + '
                      'W_hh h_(t-1) + b_h) for t = 1..{T}. How many times is W_hh applied in one '
                      'forward pass?',
          'hints': ['Count the steps at which h_(t-1) is multiplied by W_hh, the first step included.'],
          'ask': {'quantity': 'recurrent_applications'}},
         {'id': 'bptt-hidden-states',
          'skill': 'time',
          'title': 'Hidden states kept for BPTT',
          'difficulty': 2,
          'params': {'m': [2, 60], 'n': [2, 100], 'T': [3, 80]},
          'question': 'To train with backpropagation through time, an RNN keeps the hidden states of '
                      'the forward pass over a sequence of T = {T} steps. How many hidden state '
                      'vectors are kept, counting the initial state h_0?',
          'hints': ["Each step t makes one new state h_t; the first step's gradient also needs the "
                    'state it started from.'],
          'ask': {'quantity': 'hidden_states', 'include_h0': True}},
         {'id': 'multiply-adds-every-step',
          'skill': 'time',
          'title': 'Multiply-adds for one sequence',
          'difficulty': 2,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20], 'T': [2, 30], 'bias': False},
          'question': 'An RNN without biases has {m} inputs, {n} hidden neurons and {p} outputs and '
                      'produces an output at every step of a sequence of T = {T}. How many '
                      'multiply-adds do its matrix-vector products take for one forward pass?',
          'hints': ['Each weight is used once per step.'],
          'ask': {'quantity': 'multiply_adds', 'output': 'every'}},
         {'id': 'multiply-adds-last-output',
          'skill': 'time',
          'title': 'Multiply-adds with one output at the end',
          'difficulty': 3,
          'params': {'m': [2, 40], 'n': [2, 64], 'p': [2, 20], 'T': [2, 30], 'bias': False},
          'question': 'A bias-free RNN with {m} inputs, {n} hidden neurons and {p} outputs reads T = '
                      '{T} steps and produces a single output after the last one (sequence '
                      'classification). How many multiply-adds do its matrix-vector products take?',
          'hints': ['The recurrent matrices run at every step; the output layer runs once, after the '
                    'last step.'],
          'ask': {'quantity': 'multiply_adds', 'output': 'last'}}]
    ),
}
